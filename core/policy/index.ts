/** The policy model: decode the contracts' logs, replay them into a state, and ask it questions. */
export * from "./events";
export * from "./state";
export { PolicyReplayError, type PolicyReplayErrorCode } from "./errors";
export { applyPolicyEvent, replayPolicyEvents } from "./applyEvent";
export { decodePolicyLog, decodePolicyLogs, type PolicyContracts, type PolicyLog } from "./decodeLogs";
export { effectiveNoticePeriodAt, noticeFloorAfterUpdate } from "./notice";
export {
  approvalAt,
  effectiveNoticePeriod,
  findApp,
  isCurrentSigner,
  isPlatformAllowed,
  isReleaseAllowedAt,
} from "./queries";

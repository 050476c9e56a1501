/**
 * Pure questions over a rebuilt policy state, answered as the contracts' views answer them.
 * Inputs may be mixed-case hex; they are lowercased before the lookup.
 */
import type { Hex } from "./events";
import { effectiveNoticePeriodAt } from "./notice";
import { TCB_STATUS_MASK_ALL } from "./platformEvents";
import type { AppState, PolicyState, ReleaseApproval } from "./state";

function lower(hex: string): Hex {
  return hex.toLowerCase() as Hex;
}

/** The app, or undefined when it was never registered. */
export function findApp(state: PolicyState, appId: string): AppState | undefined {
  return state.apps.get(lower(appId));
}

/** The approval of `composeHash` that stood at `timestamp`: the latest one mined at or before it. */
export function approvalAt(
  state: PolicyState,
  appId: string,
  composeHash: string,
  timestamp: bigint,
): ReleaseApproval | undefined {
  const approvals = findApp(state, appId)?.releases.get(lower(composeHash))?.approvals ?? [];
  for (let index = approvals.length - 1; index >= 0; index -= 1) {
    const approval = approvals[index]!;
    if (approval.blockTimestamp <= timestamp) return approval;
  }
  return undefined;
}

/**
 * Whether `composeHash` was allowed for `appId` at `timestamp`, as `isReleaseAllowed` answers at
 * the end of the last block with that timestamp or earlier: the approval standing then has
 * activated (`activatesAt <= timestamp`) and was not revoked by then (`revokedAt > timestamp`, or
 * no revocation). False for an unknown app or compose hash. Later events in `state` do not change
 * the answer, so one replay to the chain head answers for every moment of the history.
 */
export function isReleaseAllowedAt(state: PolicyState, appId: string, composeHash: string, timestamp: bigint): boolean {
  const approval = approvalAt(state, appId, composeHash, timestamp);
  if (!approval || approval.activatesAt > timestamp) return false;
  return approval.revocation === null || approval.revocation.revokedAt > timestamp;
}

/**
 * Whether the platform is allowed now, as `PlatformPolicy.isPlatformAllowed` answers: the platform
 * hash is allowed and the TCB status's bit (index 0..5, `TCB_STATUS_BITS`) is accepted.
 */
export function isPlatformAllowed(state: PolicyState, platformHash: string, tcbStatus: number): boolean {
  if (!Number.isInteger(tcbStatus) || tcbStatus < 0 || tcbStatus > 5) return false;
  const accepted = ((state.platform.allowedTcbStatuses & TCB_STATUS_MASK_ALL) >> tcbStatus) & 1;
  return accepted === 1 && state.platform.allowedPlatforms.has(lower(platformHash));
}

/** Whether `account` is a signer of the app's current configuration (`AppRegistry.isSigner`). */
export function isCurrentSigner(state: PolicyState, appId: string, account: string): boolean {
  return findApp(state, appId)?.config.signers.includes(lower(account)) ?? false;
}

/** The notice an approval at `timestamp` would get under the app's current configuration. */
export function effectiveNoticePeriod(app: AppState, timestamp: bigint): bigint {
  return effectiveNoticePeriodAt(app.config, timestamp);
}

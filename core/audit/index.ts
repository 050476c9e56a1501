/** The audit: rebuild the policy from events, check it against the views, and check a release log against both. */
export { AuditError, type AuditErrorCode } from "./errors";
export { finding, MISBEHAVIOUR_CODES, type Finding, type FindingCode } from "./findings";
export { replayPolicyHistory } from "./replayHistory";
export { compareViewAnswers, EXPECT_REVERT, normalizeViewValue, policyViewChecks, type ViewAnswer, type ViewCheck, type ViewContract } from "./viewChecks";
export { createPlatformCursor, type PlatformCursor } from "./platformCursor";
export { judgeLeaf, type ComposeRefusalReason, type LeafJudgeContext, type PolicyBlockFacts } from "./judgeLeaf";
export {
  checkConsistencyProof,
  checkInclusionProof,
  checkRootsAgainstHeads,
  consistencyPairs,
  rebuildServedLog,
  type AnchoredCheckpoint,
  type RebuiltLog,
  type ServedEntry,
  type TreeHead,
} from "./logChecks";
export { buildPeriodReport, type ComposeHashReport, type KeyReleaseRecord, type PeriodReport, type ReportPeriod } from "./periodReport";
export { parsePeriodBound, type PeriodBound } from "./periodBound";
export { createKmsLogClient, fetchEntries, type KmsLogClient, type KmsLogClientOptions, type SignedTreeHead } from "./kmsLogClient";
export { auditReleaseLog, type AuditReleaseLogInput, type ReleaseLogAudit } from "./auditReleaseLog";
export { auditLog, type AuditLogParameters, type LogAuditResult } from "./auditLog";
export { auditBlock, auditReplay, type AuditReplayParameters, type ReplayAudit } from "./auditReplay";
export { auditReport, type AuditReport, type AuditReportParameters } from "./auditReport";
export { connectChain, latestBlockNumber } from "./rpc/connect";
export { createRangeController, DEFAULT_BLOCK_RANGE, isRangeLimitError, isTransientError, type BlockRangePolicy, type RangeController } from "./rpc/adaptiveRange";
export { getPolicyLogs, type RawPolicyLog } from "./rpc/getPolicyLogs";
export { getBlockHeader, getBlockHeaders, type BlockHeader } from "./rpc/getBlockHeaders";
export { checkLogBlocks, decodeWithHeaders, fetchPolicyHistory, rpcUnavailable } from "./rpc/fetchPolicyHistory";
export { createLogBatchReader, type LogBatch, type LogBatchReader } from "./rpc/logBatchReader";
export { readViews } from "./rpc/readViews";

/** `basekms agent`: the boot-time client that runs in an app's TDX VM. Public API only. */
export { AgentError, isTransientAgentError, type AgentErrorCode } from "./errors";
export { appComposeHash, generateInstanceId, parseAppId, parseInstanceId, type AppIdentity } from "./identity";
export { bootAgent, type BootAgentParameters, type BootAgentResult } from "./boot";
export { writeKeyFile, writeKeyStream, KEY_FILE_MODE } from "./keyOutput";
export { stderrLog, silentLog, SIMULATOR_WARNING, type AgentLog } from "./log";
export { DEFAULT_RETRY_POLICY, backoffDelay, withRetry, type RetryPolicy, type RetryNotice } from "./retry";
export { createKmsClient, kmsBaseUrl, type KmsClient, type KmsClientOptions } from "./protocol/kmsClient";
export { decodeKeyResponse, decodeReceipt, type Challenge, type KeyRequestBody, type KeyResponse, type WireReceipt } from "./protocol/wire";
export { connectKmsChain, kmsChainView, type KmsChainView } from "./receipt/kmsChain";
export { verifyReceipt, type VerifiedReceipt } from "./receipt/verifyReceipt";
export { type ExpectedRelease } from "./receipt/receiptChecks";
export * from "./measure";
export { buildAgentHealthApp, serveAgentHealth, type AgentHealthAppOptions } from "./healthApp";
export { collectAgentEvidence, type AgentEvidence, EVENT_LOG_MISMATCH_TAINT, NOT_MEASURED_TAINT } from "./health/evidence";
export { agentHealthReportData, AGENT_HEALTH_LABEL, type AgentHealthClaims } from "./health/reportData";

/**
 * `audit log` end to end: the KMS's tree head, then the chain up to its latest block, then the
 * log against both (auditReleaseLog.ts).
 */
import type { PublicClient } from "viem";
import type { Deployment } from "../chain/deployment";
import { auditReleaseLog, type ReleaseLogAudit } from "./auditReleaseLog";
import type { KmsLogClient } from "./kmsLogClient";
import { replayPolicyHistory } from "./replayHistory";
import { latestBlockNumber } from "./rpc/connect";
import { fetchPolicyHistory } from "./rpc/fetchPolicyHistory";
import { getBlockHeaders } from "./rpc/getBlockHeaders";

export interface AuditLogParameters {
  readonly deployment: Deployment;
  readonly log: KmsLogClient;
  readonly checkInclusionProofs?: boolean;
  readonly onProgress?: (message: string) => void;
}

export interface LogAuditResult extends ReleaseLogAudit {
  readonly chainHead: number;
  readonly events: number;
}

export async function auditLog(client: PublicClient, parameters: AuditLogParameters): Promise<LogAuditResult> {
  const { deployment, log, onProgress } = parameters;
  onProgress?.(`reading the tree head of ${log.baseUrl}`);
  const head = await log.checkpoint();
  const chainHead = await latestBlockNumber(client);
  onProgress?.(`reading policy events up to block ${chainHead}`);
  const events = await fetchPolicyHistory(client, { deployment, toBlock: chainHead });
  const history = replayPolicyHistory(events);
  const audit = await auditReleaseLog({
    client: log,
    deployment,
    head,
    events,
    history,
    chainHead,
    readHeaders: (numbers) => getBlockHeaders(client, numbers),
    checkInclusionProofs: parameters.checkInclusionProofs ?? true,
    ...(onProgress ? { onProgress } : {}),
  });
  return { ...audit, chainHead, events: events.length };
}

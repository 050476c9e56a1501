/**
 * Every policy event of a deployment up to a block, read from the chain alone: adaptive
 * `eth_getLogs` ranges from the deployment block, block timestamps from headers, and each log's
 * block hash checked against its header (a log of a block that was reorganised away fails the
 * fetch instead of entering the replay).
 */
import type { PublicClient } from "viem";
import { deploymentStartBlock, type Deployment } from "../../chain/deployment";
import { isBaseError } from "../../errors";
import { decodePolicyLogs, type PolicyEvent } from "../../policy";
import { AuditError } from "../errors";
import type { BlockRangePolicy } from "./adaptiveRange";
import type { BlockHeader } from "./getBlockHeaders";
import type { RawPolicyLog } from "./getPolicyLogs";
import { createLogBatchReader, type LogBatch } from "./logBatchReader";

export interface FetchPolicyHistoryParameters {
  readonly deployment: Deployment;
  /** Last block to read (inclusive). */
  readonly toBlock: number;
  readonly rangePolicy?: BlockRangePolicy;
  readonly onProgress?: (progress: { readonly fetchedTo: number; readonly toBlock: number; readonly logs: number }) => void;
}

export function rpcUnavailable(what: string, cause: unknown): AuditError {
  if (isBaseError(cause) && cause instanceof AuditError) return cause;
  const detail = cause instanceof Error ? (cause.message.split("\n")[0] ?? "") : String(cause);
  return new AuditError("AUDIT_RPC_UNAVAILABLE", `${what}: ${detail}`, { cause });
}

/** Checks each log's block hash against the header of its block; a mismatch means a reorg mid-read. */
export function checkLogBlocks(logs: readonly RawPolicyLog[], headers: ReadonlyMap<number, BlockHeader>): void {
  for (const log of logs) {
    const header = headers.get(Number(log.blockNumber));
    if (!header || header.hash !== log.blockHash) {
      throw new AuditError(
        "AUDIT_RPC_UNAVAILABLE",
        `log ${log.logIndex} of block ${log.blockNumber} belongs to block ${log.blockHash}, the chain's is ${header?.hash ?? "missing"}: the chain reorganised during the read`,
      );
    }
  }
}

/** Decodes raw logs, with timestamps from `headers`; every log must be in a block of `headers`. */
export function decodeWithHeaders(logs: readonly RawPolicyLog[], headers: ReadonlyMap<number, BlockHeader>, deployment: Deployment): PolicyEvent[] {
  const blockTimestamps = new Map<bigint, bigint>();
  for (const header of headers.values()) blockTimestamps.set(BigInt(header.number), header.timestamp);
  return decodePolicyLogs(logs, {
    contracts: { appRegistry: deployment.contracts.AppRegistry.address, platformPolicy: deployment.contracts.PlatformPolicy.address },
    blockTimestamps,
  });
}

/**
 * Every policy event from the deployment block to `toBlock`, decoded and in chain order. The next
 * range is read while the current one is checked and decoded.
 */
export async function fetchPolicyHistory(client: Pick<PublicClient, "request">, parameters: FetchPolicyHistoryParameters): Promise<PolicyEvent[]> {
  const { deployment, toBlock } = parameters;
  const reader = createLogBatchReader(client, {
    addresses: [deployment.contracts.AppRegistry.address, deployment.contracts.PlatformPolicy.address],
    ...(parameters.rangePolicy ? { rangePolicy: parameters.rangePolicy } : {}),
    onError: rpcUnavailable,
  });
  const events: PolicyEvent[] = [];
  let fromBlock = deploymentStartBlock(deployment);
  let logCount = 0;
  while (fromBlock <= toBlock) {
    let batch: LogBatch;
    try {
      batch = await reader.read(fromBlock, toBlock);
    } catch (error) {
      throw rpcUnavailable(`cannot read blocks ${fromBlock}-${toBlock}`, error);
    }
    reader.prefetch(batch.toBlock + 1, toBlock);
    checkLogBlocks(batch.logs, batch.headers);
    for (const event of decodeWithHeaders(batch.logs, batch.headers, deployment)) events.push(event);
    logCount += batch.logs.length;
    fromBlock = batch.toBlock + 1;
    parameters.onProgress?.({ fetchedTo: batch.toBlock, toBlock, logs: logCount });
  }
  return events;
}

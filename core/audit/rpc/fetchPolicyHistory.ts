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
import { createRangeController, isRangeLimitError, type BlockRangePolicy } from "./adaptiveRange";
import { getBlockHeaders, type BlockHeader } from "./getBlockHeaders";
import { getPolicyLogs, type RawPolicyLog } from "./getPolicyLogs";

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

/** Raw logs of both contracts in [fromBlock, toBlock], with adaptive ranges. */
export async function getPolicyLogsAdaptive(
  client: Pick<PublicClient, "request">,
  parameters: { addresses: readonly string[]; fromBlock: number; toBlock: number; rangePolicy?: BlockRangePolicy; onProgress?: FetchPolicyHistoryParameters["onProgress"] },
): Promise<RawPolicyLog[]> {
  const range = createRangeController(parameters.rangePolicy);
  const logs: RawPolicyLog[] = [];
  let from = parameters.fromBlock;
  while (from <= parameters.toBlock) {
    const to = Math.min(parameters.toBlock, from + range.size() - 1);
    let batch: RawPolicyLog[];
    try {
      batch = await getPolicyLogs(client, { addresses: parameters.addresses, fromBlock: from, toBlock: to });
    } catch (error) {
      if (isRangeLimitError(error) && range.limited(to - from + 1)) continue;
      throw rpcUnavailable(`eth_getLogs of blocks ${from}-${to} failed`, error);
    }
    for (const log of batch) logs.push(log);
    range.succeeded(to - from + 1, batch.length);
    from = to + 1;
    parameters.onProgress?.({ fetchedTo: to, toBlock: parameters.toBlock, logs: logs.length });
  }
  return logs;
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

/** Every policy event from the deployment block to `toBlock`, decoded and in chain order. */
export async function fetchPolicyHistory(client: Pick<PublicClient, "request">, parameters: FetchPolicyHistoryParameters): Promise<PolicyEvent[]> {
  const { deployment } = parameters;
  const logs = await getPolicyLogsAdaptive(client, {
    addresses: [deployment.contracts.AppRegistry.address, deployment.contracts.PlatformPolicy.address],
    fromBlock: deploymentStartBlock(deployment),
    toBlock: parameters.toBlock,
    ...(parameters.rangePolicy ? { rangePolicy: parameters.rangePolicy } : {}),
    ...(parameters.onProgress ? { onProgress: parameters.onProgress } : {}),
  });
  let headers: Map<number, BlockHeader>;
  try {
    headers = await getBlockHeaders(client, logs.map((log) => Number(log.blockNumber)));
  } catch (error) {
    throw rpcUnavailable("cannot read the headers of the blocks with events", error);
  }
  checkLogBlocks(logs, headers);
  return decodeWithHeaders(logs, headers, deployment);
}

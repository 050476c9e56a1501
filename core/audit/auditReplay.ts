/**
 * `audit replay`: the policy state rebuilt from events alone, compared with what the contracts'
 * view functions answer at the same block. Nothing but the chain is trusted, and only through
 * logs, headers and `eth_call` at a fixed block number.
 */
import type { PublicClient } from "viem";
import { deploymentStartBlock, type Deployment } from "../chain/deployment";
import type { PolicyEvent, PolicyState } from "../policy";
import { AuditError } from "./errors";
import type { Finding } from "./findings";
import { replayPolicyHistory } from "./replayHistory";
import { latestBlockNumber } from "./rpc/connect";
import { fetchPolicyHistory } from "./rpc/fetchPolicyHistory";
import { getBlockHeader, type BlockHeader } from "./rpc/getBlockHeaders";
import { readViews } from "./rpc/readViews";
import { compareViewAnswers, policyViewChecks } from "./viewChecks";

export interface ReplayAudit {
  readonly block: BlockHeader;
  readonly events: readonly PolicyEvent[];
  readonly state: PolicyState;
  readonly checks: number;
  readonly differences: readonly Finding[];
  /** Milliseconds spent in each step. */
  readonly timings: { readonly fetch: number; readonly replay: number; readonly views: number };
}

export interface AuditReplayParameters {
  readonly deployment: Deployment;
  /** Defaults to the latest block. */
  readonly toBlock?: number;
  /** Compare with the views (default true); false only rebuilds the state. */
  readonly compareViews?: boolean;
  readonly onProgress?: (message: string) => void;
}

/** The header of the block to audit at, checked to be inside [deployment block, latest]. */
export async function auditBlock(client: Pick<PublicClient, "request" | "getBlockNumber">, deployment: Deployment, toBlock?: number): Promise<BlockHeader> {
  const latest = await latestBlockNumber(client);
  const target = toBlock ?? latest;
  const start = deploymentStartBlock(deployment);
  if (target < start || target > latest) {
    throw new AuditError("AUDIT_BLOCK_OUT_OF_RANGE", `block ${target} is not between the deployment block ${start} and the latest block ${latest}`);
  }
  const header = await getBlockHeader(client, target);
  if (!header) throw new AuditError("AUDIT_BLOCK_OUT_OF_RANGE", `the chain has no block ${target}`);
  return header;
}

export async function auditReplay(client: PublicClient, parameters: AuditReplayParameters): Promise<ReplayAudit> {
  const { deployment, onProgress } = parameters;
  const block = await auditBlock(client, deployment, parameters.toBlock);
  let started = performance.now();
  const events = await fetchPolicyHistory(client, {
    deployment,
    toBlock: block.number,
    onProgress: ({ fetchedTo, toBlock, logs }) => onProgress?.(`read blocks up to ${fetchedTo} of ${toBlock}: ${logs} events`),
  });
  const fetch = performance.now() - started;
  started = performance.now();
  const state = replayPolicyHistory(events);
  const replay = performance.now() - started;
  if (parameters.compareViews === false) {
    return { block, events, state, checks: 0, differences: [], timings: { fetch, replay, views: 0 } };
  }
  started = performance.now();
  const checks = policyViewChecks(state, events, block.timestamp);
  onProgress?.(`comparing ${checks.length} view answers at block ${block.number}`);
  const answers = await readViews(client, deployment, checks, block.number);
  const differences = compareViewAnswers(checks, answers);
  return { block, events, state, checks: checks.length, differences, timings: { fetch, replay, views: performance.now() - started } };
}

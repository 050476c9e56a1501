/**
 * Runs view checks at one block. The calls go through a deployless Multicall3 (viem: the
 * aggregator's creation code runs inside `eth_call`, so no contract needs to be deployed on the
 * chain), a few hundred calls per `eth_call`, all at the same block number.
 */
import type { Abi, Address, PublicClient } from "viem";
import type { Deployment } from "../../chain/deployment";
import { appRegistryAbi } from "../../contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../../contracts/generated/PlatformPolicy";
import type { ViewAnswer, ViewCheck } from "../viewChecks";
import { rpcUnavailable } from "./fetchPolicyHistory";

/** Calldata bytes per eth_call: about 300 calls. */
const MULTICALL_BATCH_BYTES = 24_000;
/** Checks per multicall: about eight eth_calls in flight. */
const CHECKS_PER_SLICE = 2_400;

type MulticallResult = { status: "success"; result: unknown } | { status: "failure"; error: Error };

export async function readViews(
  client: Pick<PublicClient, "multicall">,
  deployment: Deployment,
  checks: readonly ViewCheck[],
  blockNumber: number,
): Promise<ViewAnswer[]> {
  const targets: Record<ViewCheck["contract"], { address: Address; abi: Abi }> = {
    AppRegistry: { address: deployment.contracts.AppRegistry.address as Address, abi: appRegistryAbi as Abi },
    PlatformPolicy: { address: deployment.contracts.PlatformPolicy.address as Address, abi: platformPolicyAbi as Abi },
  };
  const contracts = checks.map((check) => ({ ...targets[check.contract], functionName: check.functionName, args: check.args }));
  const results: MulticallResult[] = [];
  // viem sends one multicall's eth_calls all at once: a slice at a time keeps a few in flight.
  for (let start = 0; start < contracts.length; start += CHECKS_PER_SLICE) {
    try {
      const slice = (await client.multicall({
        contracts: contracts.slice(start, start + CHECKS_PER_SLICE) as never,
        blockNumber: BigInt(blockNumber),
        allowFailure: true,
        deployless: true,
        batchSize: MULTICALL_BATCH_BYTES,
      })) as MulticallResult[];
      for (const result of slice) results.push(result);
    } catch (error) {
      throw rpcUnavailable(`cannot read the contracts' views at block ${blockNumber}`, error);
    }
  }
  return results.map((result) =>
    result.status === "success" ? { ok: true, value: result.result } : { ok: false, error: result.error.message.split("\n")[0] ?? "failed" },
  );
}

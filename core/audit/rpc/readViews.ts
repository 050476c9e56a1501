/**
 * Runs view checks at one block, all at the same block number, batched through Multicall3: the
 * canonical deployment (0xcA11…CA11, on Base and most chains) when the chain has it at that
 * block, otherwise deployless (viem runs the aggregator's creation code inside `eth_call`, so
 * nothing needs deploying; the creation code is capped at 48 KiB by EIP-3860, hence smaller
 * batches).
 */
import type { Abi, Address, PublicClient } from "viem";
import type { Deployment } from "../../chain/deployment";
import { appRegistryAbi } from "../../contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../../contracts/generated/PlatformPolicy";
import type { ViewAnswer, ViewCheck } from "../viewChecks";
import { rpcUnavailable } from "./fetchPolicyHistory";

const MULTICALL3: Address = "0xcA11bde05977b3631167028862bE2a173976CA11";
/** Calldata bytes of the inner calls per eth_call: ~300 calls through a deployed Multicall3. */
const DEPLOYED_BATCH_BYTES = 24_000;
/**
 * viem counts inner calldata bytes, but each call costs ~250 bytes of aggregate3 encoding: 3,000
 * bytes is at most ~83 calls (36-byte calldata), ~21 KiB, well under the 48 KiB initcode cap.
 */
const DEPLOYLESS_BATCH_BYTES = 3_000;
/** Checks per multicall call: viem sends a call's eth_calls at once, so this bounds those in flight. */
const CHECKS_PER_SLICE = 1_200;

type MulticallResult = { status: "success"; result: unknown } | { status: "failure"; error: Error };

export async function readViews(
  client: Pick<PublicClient, "multicall" | "getCode">,
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
  let deployed: boolean;
  try {
    deployed = ((await client.getCode({ address: MULTICALL3, blockNumber: BigInt(blockNumber) })) ?? "0x").length > 2;
  } catch (error) {
    throw rpcUnavailable(`cannot read the code at ${MULTICALL3}`, error);
  }
  const via = deployed ? { multicallAddress: MULTICALL3, batchSize: DEPLOYED_BATCH_BYTES } : { deployless: true, batchSize: DEPLOYLESS_BATCH_BYTES };
  // viem sends one multicall's eth_calls all at once: a slice at a time keeps a few in flight.
  for (let start = 0; start < contracts.length; start += CHECKS_PER_SLICE) {
    try {
      const slice = (await client.multicall({
        contracts: contracts.slice(start, start + CHECKS_PER_SLICE) as never,
        blockNumber: BigInt(blockNumber),
        allowFailure: true,
        ...via,
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

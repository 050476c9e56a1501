import type { Abi, Address } from "viem";
import type { MaintainerClient } from "./client";
import { asMaintainerError } from "./sendContractWrite";

export interface ReadContractExplainedParameters {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  blockNumber?: bigint;
}

/** A view call whose revert (an unknown app, say) becomes CONTRACT_REVERTED with a sentence. */
export async function readContractExplained<Result>(client: MaintainerClient, parameters: ReadContractExplainedParameters): Promise<Result> {
  try {
    return (await client.publicClient.readContract(parameters as never)) as Result;
  } catch (error) {
    throw asMaintainerError(error, parameters.functionName);
  }
}

/** The latest block's number and timestamp: the clock the contracts compare deadlines with. */
export async function readChainClock(client: MaintainerClient): Promise<{ blockNumber: bigint; timestamp: bigint }> {
  try {
    const block = await client.publicClient.getBlock({ blockTag: "latest" });
    return { blockNumber: block.number, timestamp: block.timestamp };
  } catch (error) {
    throw asMaintainerError(error, "eth_getBlockByNumber");
  }
}

import { type Account, type Address, BaseError as ViemError, ContractFunctionRevertedError, type Hex, type PublicClient, type WalletClient } from "viem";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import type { SignedCheckpoint } from "../../core/releaseLog/checkpoint";

export interface AnchoredCheckpoint {
  transactionHash: Hex;
  blockNumber: number;
}

export type SubmitCheckpoint = (checkpoint: SignedCheckpoint) => Promise<AnchoredCheckpoint>;

/**
 * Sends `PlatformPolicy.checkpoint(treeSize, rootHash, signature)` from the anchor submitter
 * and waits for it to be mined. A revert (unknown KMS, size not growing) or a missing
 * receipt throws; the anchorer retries with backoff.
 */
export function checkpointSubmitter(parameters: {
  publicClient: PublicClient;
  walletClient: WalletClient & { account: Account };
  platformPolicy: Address;
  /** Milliseconds to wait for the receipt (default 60 s). */
  receiptTimeoutMs?: number;
}): SubmitCheckpoint {
  const { publicClient, walletClient, platformPolicy } = parameters;
  return async (checkpoint) => {
    let request;
    try {
      ({ request } = await publicClient.simulateContract({
        address: platformPolicy,
        abi: platformPolicyAbi,
        functionName: "checkpoint",
        args: [BigInt(checkpoint.treeSize), checkpoint.rootHash, checkpoint.signature],
        account: walletClient.account,
      }));
    } catch (error) {
      throw new Error(`PlatformPolicy.checkpoint(${checkpoint.treeSize}) would revert: ${revertName(error)}`, { cause: error });
    }
    const transactionHash = await walletClient.writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash: transactionHash, timeout: parameters.receiptTimeoutMs ?? 60_000 });
    if (receipt.status !== "success") throw new Error(`checkpoint transaction ${transactionHash} reverted`);
    return { transactionHash, blockNumber: Number(receipt.blockNumber) };
  };
}

/** The custom error a revert carries (e.g. `LogAnchorUnknownKms(0x…)`), or the first line of any other error. */
function revertName(error: unknown): string {
  if (error instanceof ViemError) {
    const revert = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName) {
      return `${revert.data.errorName}(${(revert.data.args ?? []).map(String).join(", ")})`;
    }
    return error.shortMessage;
  }
  return error instanceof Error ? (error.message.split("\n")[0] ?? "error") : String(error);
}

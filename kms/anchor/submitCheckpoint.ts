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
 *
 * Reconciliation: when the chain already holds this exact checkpoint (`LogAnchorCheckpointExists`,
 * e.g. the transaction was mined but the KMS crashed before recording it, or a receipt timed
 * out), the chain is the truth: the `CheckpointRecorded(kms, treeSize)` event is looked up and
 * its transaction returned as the anchor, after checking that its root is ours. Without this, a
 * KMS that crashed at the wrong moment would retry the same revert until the next release.
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
      if (revertErrorName(error) === "LogAnchorCheckpointExists") {
        const recorded = await findRecordedCheckpoint(publicClient, platformPolicy, checkpoint);
        if (recorded) return recorded;
      }
      throw new Error(`PlatformPolicy.checkpoint(${checkpoint.treeSize}) would revert: ${revertName(error)}`, { cause: error });
    }
    const transactionHash = await walletClient.writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash: transactionHash, timeout: parameters.receiptTimeoutMs ?? 60_000 });
    if (receipt.status !== "success") throw new Error(`checkpoint transaction ${transactionHash} reverted`);
    return { transactionHash, blockNumber: Number(receipt.blockNumber) };
  };
}

/** How far back reconciliation looks for the recording transaction (about 2.8 hours on Base). */
const RECONCILE_LOOKBACK_BLOCKS = 5_000n;

/**
 * The transaction that recorded `checkpoint` on chain, if the recorded root is `checkpoint`'s.
 * `kms` and `treeSize` are indexed, so this is one narrow `eth_getLogs`.
 */
async function findRecordedCheckpoint(publicClient: PublicClient, platformPolicy: Address, checkpoint: SignedCheckpoint): Promise<AnchoredCheckpoint | undefined> {
  const recordedRoot = await publicClient.readContract({
    address: platformPolicy,
    abi: platformPolicyAbi,
    functionName: "checkpointRoot",
    args: [checkpoint.kms, BigInt(checkpoint.treeSize)],
  });
  if (recordedRoot.toLowerCase() !== checkpoint.rootHash.toLowerCase()) return undefined;
  // The lost transaction is recent (a crash or a receipt timeout), so a bounded look-back finds it
  // without the whole-history range that public RPCs refuse.
  const latest = await publicClient.getBlockNumber({ cacheTime: 0 });
  const logs = await publicClient.getContractEvents({
    address: platformPolicy,
    abi: platformPolicyAbi,
    eventName: "CheckpointRecorded",
    args: { kms: checkpoint.kms, treeSize: BigInt(checkpoint.treeSize) },
    fromBlock: latest > RECONCILE_LOOKBACK_BLOCKS ? latest - RECONCILE_LOOKBACK_BLOCKS : 0n,
    toBlock: latest,
    strict: true,
  });
  const match = logs.find((log) => log.args.rootHash.toLowerCase() === checkpoint.rootHash.toLowerCase());
  if (!match || match.blockNumber === null || match.transactionHash === null) return undefined;
  return { transactionHash: match.transactionHash, blockNumber: Number(match.blockNumber) };
}

/** The name of the custom error a revert carries, if any. */
function revertErrorName(error: unknown): string | undefined {
  if (!(error instanceof ViemError)) return undefined;
  const revert = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
  return revert instanceof ContractFunctionRevertedError ? revert.data?.errorName : undefined;
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

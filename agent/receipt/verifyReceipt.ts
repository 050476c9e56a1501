import type { Address } from "viem";
import type { KeyReleaseLeaf } from "../../core/releaseLog";
import { AgentError } from "../errors";
import type { WireReceipt } from "../protocol/wire";
import { withRetry, type WithRetryOptions } from "../retry";
import type { KmsChainView } from "./kmsChain";
import { checkCheckpointSigner, checkInclusion, checkLeafHash, checkLeafNamesRelease, type ExpectedRelease } from "./receiptChecks";

export interface VerifiedReceipt {
  receipt: WireReceipt;
  leaf: KeyReleaseLeaf;
  /** The registered KMS identity that signed the tree head holding the leaf. */
  kms: Address;
}

/**
 * Verifies a key-release receipt before anything in the response is used
 * (docs/protocol.md §5):
 * 1. the leaf is a canonical key-release leaf that hashes to `leafHash` (`RECEIPT_INVALID`);
 * 2. it names this app, instance, compose hash, agent key, chain and KMS (`RECEIPT_LEAF_MISMATCH`);
 * 3. the inclusion proof leads from it to `rootHash` (`RECEIPT_PROOF_INVALID`);
 * 4. the checkpoint `(treeSize, rootHash)` is signed by `receipt.kms` (`RECEIPT_SIGNATURE_INVALID`);
 * 5. the chain says that address is a registered KMS identity (`KMS_NOT_REGISTERED`).
 * The chain read alone is retried on `CHAIN_UNAVAILABLE`: the release is already logged, and
 * asking the KMS again would log a second one.
 */
export async function verifyReceipt(
  receipt: WireReceipt,
  expected: ExpectedRelease,
  chain: KmsChainView,
  retry: Omit<WithRetryOptions, "what">,
): Promise<VerifiedReceipt> {
  const leaf = checkLeafHash(receipt);
  checkLeafNamesRelease(leaf, receipt, expected);
  checkInclusion(receipt);
  const kms = await checkCheckpointSigner(receipt, chain);
  const registered = await withRetry(() => chain.isKmsIdentity(kms), { ...retry, what: "reading PlatformPolicy.isKmsIdentity" });
  if (!registered) {
    throw new AgentError("KMS_NOT_REGISTERED", `${kms} is not a registered KMS identity in PlatformPolicy ${chain.platformPolicy}`);
  }
  return { receipt, leaf, kms };
}

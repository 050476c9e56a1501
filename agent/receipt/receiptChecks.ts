import { isAddressEqual, type Address } from "viem";
import { bytesEqual, toHex, toHex0x, utf8 } from "../../core/bytes";
import { sha256 } from "../../core/hash";
import { platformPolicyDomain } from "../../core/contracts/typedData";
import { MerkleError, verifyInclusion } from "../../core/merkle";
import { parseLeaf, recoverCheckpointSigner, ReleaseLogError, type KeyReleaseLeaf } from "../../core/releaseLog";
import { AgentError } from "../errors";
import type { AppIdentity } from "../identity";
import type { WireReceipt } from "../protocol/wire";

/**
 * The receipt checks of docs/protocol.md §5, one plain function each. Each throws one
 * `AgentError` code; `verifyReceipt` runs them in order.
 */

/** What this agent asked for, which the leaf must record. */
export interface ExpectedRelease {
  identity: AppIdentity;
  agentPublicKey: Uint8Array;
  chainId: number;
  appRegistry: Address;
}

/**
 * Parses the leaf strictly (its one JCS encoding, a `key-release` leaf) and checks that it
 * hashes to `receipt.leafHash` (RFC 6962 leaf hash). `RECEIPT_INVALID`.
 */
export function checkLeafHash(receipt: WireReceipt): KeyReleaseLeaf {
  let encoded;
  try {
    encoded = parseLeaf(utf8(receipt.leaf));
  } catch (error) {
    if (error instanceof ReleaseLogError) throw new AgentError("RECEIPT_INVALID", `receipt leaf: ${error.message}`, { cause: error });
    throw error;
  }
  if (encoded.leaf.kind !== "key-release") {
    throw new AgentError("RECEIPT_INVALID", `receipt leaf is a ${encoded.leaf.kind} leaf, not key-release`);
  }
  if (!bytesEqual(encoded.leafHash, receipt.leafHash)) {
    throw new AgentError(
      "RECEIPT_INVALID",
      `receipt leaf hashes to ${toHex(encoded.leafHash)}, but the receipt says ${toHex(receipt.leafHash)}`,
    );
  }
  return encoded.leaf;
}

/**
 * The leaf must name this agent's release: app id, instance id, compose hash, the hash of
 * this boot's agent key, the chain and AppRegistry it trusts, the KMS that signed, and the
 * receipt's policy block. `RECEIPT_LEAF_MISMATCH` names the first field that differs.
 */
export function checkLeafNamesRelease(leaf: KeyReleaseLeaf, receipt: WireReceipt, expected: ExpectedRelease): void {
  const fields: Array<[string, string | number, string | number]> = [
    ["appId", leaf.appId, toHex0x(expected.identity.appId)],
    ["instanceId", leaf.instanceId, toHex(expected.identity.instanceId)],
    ["composeHash", leaf.composeHash, toHex(expected.identity.composeHash)],
    ["agentKeySha256", leaf.agentKeySha256, toHex(sha256(expected.agentPublicKey))],
    ["chainId", leaf.chainId, expected.chainId],
    ["appRegistry", leaf.appRegistry, expected.appRegistry.toLowerCase()],
    ["kms", leaf.kms, receipt.kms.toLowerCase()],
    ["policyBlock.number", leaf.policyBlock.number, receipt.policyBlock.number],
    ["policyBlock.hash", leaf.policyBlock.hash, receipt.policyBlock.hash.toLowerCase()],
  ];
  for (const [field, inLeaf, wanted] of fields) {
    if (inLeaf !== wanted) {
      throw new AgentError("RECEIPT_LEAF_MISMATCH", `receipt leaf ${field} is ${inLeaf}, expected ${wanted}`);
    }
  }
}

/** The leaf is entry `logIndex` of the tree of `treeSize` with root `rootHash` (RFC 9162 §2.1.3.2). `RECEIPT_PROOF_INVALID`. */
export function checkInclusion(receipt: WireReceipt): void {
  try {
    verifyInclusion(receipt.leafHash, receipt.logIndex, receipt.treeSize, receipt.inclusionProof, receipt.rootHash);
  } catch (error) {
    if (error instanceof MerkleError) throw new AgentError("RECEIPT_PROOF_INVALID", `receipt inclusion proof: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * Recovers who signed the checkpoint `(treeSize, rootHash)` under the PlatformPolicy EIP-712
 * domain of the agent's own chain, and requires it to be `receipt.kms`.
 * `RECEIPT_SIGNATURE_INVALID`.
 */
export async function checkCheckpointSigner(
  receipt: WireReceipt,
  chain: { chainId: number; platformPolicy: Address },
): Promise<Address> {
  let signer: Address;
  try {
    signer = await recoverCheckpointSigner(
      { treeSize: receipt.treeSize, rootHash: toHex0x(receipt.rootHash), signature: receipt.signature },
      platformPolicyDomain(chain.chainId, chain.platformPolicy),
    );
  } catch (error) {
    if (error instanceof ReleaseLogError) throw new AgentError("RECEIPT_SIGNATURE_INVALID", error.message, { cause: error });
    throw error;
  }
  if (!isAddressEqual(signer, receipt.kms)) {
    throw new AgentError("RECEIPT_SIGNATURE_INVALID", `checkpoint is signed by ${signer}, not by the receipt's KMS ${receipt.kms}`);
  }
  return signer;
}

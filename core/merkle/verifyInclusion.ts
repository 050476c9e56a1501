import { bytesEqual } from "../bytes";
import { MerkleError } from "./errors";
import { assertHash, nodeHash } from "./hash";
import { assertLeafIndex, assertTreeSize, half, isOdd } from "./treeSize";

/** Checks that every proof element is a 32-byte hash; a malformed proof is an invalid proof. */
export function assertProofHashes(proof: unknown, what: string): asserts proof is Uint8Array[] {
  if (!Array.isArray(proof)) throw new MerkleError("PROOF_INVALID", `${what} must be an array of hashes`);
  proof.forEach((node, i) => {
    try {
      assertHash(node, `${what} node ${i}`);
    } catch (cause) {
      throw new MerkleError("PROOF_INVALID", `${what} node ${i} is not a 32-byte hash`, { cause });
    }
  });
}

/**
 * The root that an inclusion proof leads to, by RFC 9162 §2.1.3.2 steps 1-4, or a
 * `PROOF_INVALID` when the proof is too long or too short for `(index, size)`.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Uint8Array {
  assertTreeSize(size);
  assertLeafIndex(index, size); // step 1: leaf_index >= tree_size fails
  assertHash(leafHash, "leaf hash");
  assertProofHashes(proof, "inclusion proof");
  let fn = index; // step 2
  let sn = size - 1;
  let r = leafHash; // step 3
  for (const p of proof) {
    // step 4
    if (sn === 0) throw new MerkleError("PROOF_INVALID", "inclusion proof is longer than the path to the root");
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new MerkleError("PROOF_INVALID", "inclusion proof is shorter than the path to the root");
  return r;
}

/**
 * Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`
 * (RFC 9162 §2.1.3.2). Returns nothing; throws `MerkleError`: `INDEX_OUT_OF_RANGE`,
 * `SIZE_INVALID`, `HASH_INVALID`, or `PROOF_INVALID` when the proof does not lead to `root`.
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  assertHash(root, "root");
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  // step 5
  if (!bytesEqual(computed, root)) {
    throw new MerkleError("PROOF_INVALID", `inclusion proof of leaf ${index} does not lead to the root of size ${size}`);
  }
}

import { bytesEqual } from "../bytes";
import { MerkleError } from "./errors";
import { assertHash, emptyRoot, nodeHash } from "./hash";
import { assertTreeSize, half, isOdd } from "./treeSize";
import { assertProofHashes } from "./verifyInclusion";

function isPowerOfTwo(value: number): boolean {
  let v = value;
  while (v > 1 && !isOdd(v)) v = half(v);
  return v === 1;
}

/**
 * Verifies that the tree of `size2` leaves with root `root2` extends the tree of `size1`
 * leaves with root `root1` (RFC 9162 §2.1.4.2). Returns nothing; throws `MerkleError`
 * `SIZE_INVALID` (sizes out of order), `HASH_INVALID`, or `PROOF_INVALID`.
 *
 * Cases the RFC's algorithm leaves to the caller (it needs `0 < size1 < size2`):
 * - `size1 === size2`: the proof must be empty and the roots equal.
 * - `size1 === 0`: the proof must be empty and `root1` the empty-tree root; an empty tree
 *   is a prefix of every tree.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  assertTreeSize(size1, "first tree size");
  assertTreeSize(size2, "second tree size");
  if (size1 > size2) throw new MerkleError("SIZE_INVALID", `first tree size ${size1} is larger than second ${size2}`);
  assertHash(root1, "first root");
  assertHash(root2, "second root");
  assertProofHashes(proof, "consistency proof");

  if (size1 === size2 || size1 === 0) {
    if (proof.length !== 0) throw new MerkleError("PROOF_INVALID", "consistency proof must be empty for these sizes");
    const expected = size1 === 0 ? emptyRoot() : root2;
    if (!bytesEqual(root1, expected)) throw new MerkleError("PROOF_INVALID", "roots differ for a trivially consistent pair");
    return;
  }

  // step 1
  if (proof.length === 0) throw new MerkleError("PROOF_INVALID", "consistency proof is empty");
  // step 2
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // step 3
  let fn = size1 - 1;
  let sn = size2 - 1;
  // step 4
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // step 5
  let fr = path[0] as Uint8Array;
  let sr = fr;
  // step 6
  for (const c of path.slice(1)) {
    if (sn === 0) throw new MerkleError("PROOF_INVALID", "consistency proof is longer than the path to the root");
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // step 7
  if (sn !== 0) throw new MerkleError("PROOF_INVALID", "consistency proof is shorter than the path to the root");
  if (!bytesEqual(fr, root1)) throw new MerkleError("PROOF_INVALID", `consistency proof does not lead to the root of size ${size1}`);
  if (!bytesEqual(sr, root2)) throw new MerkleError("PROOF_INVALID", `consistency proof does not lead to the root of size ${size2}`);
}

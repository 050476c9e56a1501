import { MerkleError } from "./errors";
import { type NodeSource, rangeHash } from "./subtrees";
import { assertLeafIndex, assertTreeSize, largestPowerOfTwoBelow, levelOfWidth } from "./treeSize";

/**
 * Proof generation over a node source, following the recursive definitions of RFC 9162
 * §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF), unrolled into loops. Both walk from the
 * root down, collecting one sibling per split; the RFC lists siblings from the leaf up, so
 * the list is reversed at the end.
 */

/** The hash of the complete subtree of leaves `[begin, begin + width)`. */
function perfectSubtree(begin: number, width: number, getNode: NodeSource): Uint8Array {
  return getNode(levelOfWidth(width), begin / width);
}

/** Inclusion proof (audit path) of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(index: number, size: number, getNode: NodeSource): Uint8Array[] {
  assertTreeSize(size);
  assertLeafIndex(index, size);
  const siblings: Uint8Array[] = [];
  let begin = 0;
  let end = size;
  while (end - begin > 1) {
    const k = largestPowerOfTwoBelow(end - begin);
    if (index < begin + k) {
      siblings.push(rangeHash(begin + k, end, getNode));
      end = begin + k;
    } else {
      siblings.push(perfectSubtree(begin, k, getNode));
      begin += k;
    }
  }
  return siblings.reverse();
}

/**
 * Consistency proof between the tree of the first `fromSize` leaves and the tree of the
 * first `toSize` leaves. Empty when `fromSize` is 0 or equals `toSize` (nothing to prove).
 */
export function consistencyProof(fromSize: number, toSize: number, getNode: NodeSource): Uint8Array[] {
  assertTreeSize(fromSize, "first tree size");
  assertTreeSize(toSize, "second tree size");
  if (fromSize > toSize) {
    throw new MerkleError("SIZE_INVALID", `first tree size ${fromSize} is larger than second ${toSize}`);
  }
  if (fromSize === 0 || fromSize === toSize) return [];
  const siblings: Uint8Array[] = [];
  let begin = 0;
  let end = toSize;
  let m = fromSize;
  let isWholeOldTree = true; // the RFC's `b`: the old tree's root is known to the verifier
  for (;;) {
    const size = end - begin;
    if (m === size) {
      if (!isWholeOldTree) siblings.push(rangeHash(begin, end, getNode));
      break;
    }
    const k = largestPowerOfTwoBelow(size);
    if (m <= k) {
      siblings.push(rangeHash(begin + k, end, getNode));
      end = begin + k;
    } else {
      siblings.push(perfectSubtree(begin, k, getNode));
      m -= k;
      begin += k;
      isWholeOldTree = false;
    }
  }
  return siblings.reverse();
}

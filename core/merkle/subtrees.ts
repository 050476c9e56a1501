import { MerkleError } from "./errors";
import { emptyRoot, nodeHash } from "./hash";
import { assertTreeSize, subtreeWidth } from "./treeSize";

/**
 * Storage scheme (shared by the SQLite release log and the in-memory tree).
 *
 * An append-only RFC 6962 tree is stored as the hashes of its *complete* (perfect)
 * subtrees only: node `(level, index)` is the root of leaves
 * `[index·2^level, (index+1)·2^level)`, and level 0 holds the leaf hashes. A node is
 * written once, in the same transaction as the leaf that completes it, and never changes:
 * appending leaf `n` completes one node per trailing 1-bit of `n` (one on average).
 *
 * A tree of any size `s` splits into at most ⌈log2 s⌉+1 complete subtrees, one per set bit
 * of `s`, largest (leftmost) first — its "compact range" or right edge. Its root is those
 * subtree roots folded from the right, `node(P1, node(P2, … Pm))`, which is exactly
 * RFC 9162 MTH because MTH always splits at the largest power of two below the size. So a
 * root, an inclusion proof or a consistency proof for any past size costs O(log n) node
 * lookups plus the hashing of the right edge; nothing is recomputed from the leaves.
 *
 * A `NodeSource` returns the hash of a complete subtree. It must throw (for example a
 * `MerkleError` `NODE_MISSING`) rather than return a wrong value when it has none.
 */
export type NodeSource = (level: number, index: number) => Uint8Array;

export interface SubtreeRef {
  level: number;
  index: number;
}

/**
 * The complete subtrees that cover leaves `[begin, end)`, largest first. `begin` must be a
 * multiple of the width of the first (largest) piece, which holds for every range that
 * RFC 9162's MTH, PATH and PROOF recursions visit.
 */
export function rangePieces(begin: number, end: number): SubtreeRef[] {
  assertTreeSize(begin, "range start");
  assertTreeSize(end, "range end");
  if (end < begin) throw new MerkleError("SIZE_INVALID", `range [${begin}, ${end}) ends before it starts`);
  const pieces: SubtreeRef[] = [];
  let offset = begin;
  let remaining = end - begin;
  let level = 0;
  while (subtreeWidth(level + 1) <= remaining) level++;
  for (; remaining > 0; level--) {
    const width = subtreeWidth(level);
    if (width > remaining) continue;
    if (offset % width !== 0) {
      throw new MerkleError("SIZE_INVALID", `range [${begin}, ${end}) is not aligned to complete subtrees`);
    }
    pieces.push({ level, index: offset / width });
    offset += width;
    remaining -= width;
  }
  return pieces;
}

/** Folds subtree roots from the right: `node(h0, node(h1, … h_last))`. Empty gives the empty root. */
export function foldRight(hashes: readonly Uint8Array[]): Uint8Array {
  const last = hashes[hashes.length - 1];
  if (last === undefined) return emptyRoot();
  let root = last;
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i] as Uint8Array, root);
  return root;
}

/** MTH of leaves `[begin, end)` (a range the RFC recursion visits), from complete subtrees. */
export function rangeHash(begin: number, end: number, getNode: NodeSource): Uint8Array {
  return foldRight(rangePieces(begin, end).map((piece) => getNode(piece.level, piece.index)));
}

/** The root of the first `size` leaves (size 0 gives the empty root). */
export function rootAt(size: number, getNode: NodeSource): Uint8Array {
  return rangeHash(0, size, getNode);
}

import { assertHash, nodeHash } from "./hash";
import { foldRight, type NodeSource, rangePieces } from "./subtrees";
import { assertTreeSize, half, isOdd } from "./treeSize";

/**
 * The frontier (right edge) of a tree of `size` leaves: the roots of its complete subtrees,
 * one per set bit of `size`, largest first (see `subtrees.ts`). It is all an appender needs
 * to keep in memory: appending a leaf merges it with the frontier's smallest subtrees, and
 * the root is the frontier folded from the right.
 */
export type Frontier = Uint8Array[];

/** A complete subtree whose hash became known when a leaf was appended. */
export interface CompletedNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

/**
 * Appends leaf number `size` (0-based) to `frontier` **in place** and returns the nodes it
 * completes: the leaf itself at level 0, then one node per trailing 1-bit of `size`.
 * `frontier` must be the frontier of a tree of exactly `size` leaves.
 */
export function pushLeaf(frontier: Frontier, size: number, leafHash: Uint8Array): CompletedNode[] {
  let hash = leafHash;
  let level = 0;
  let index = size;
  const completed: CompletedNode[] = [{ level, index, hash }];
  while (isOdd(index)) {
    const left = frontier.pop() as Uint8Array;
    hash = nodeHash(left, hash);
    level += 1;
    index = half(index);
    completed.push({ level, index, hash });
  }
  frontier.push(hash);
  return completed;
}

/** The root of the tree whose frontier this is. */
export function rootFromFrontier(frontier: readonly Uint8Array[]): Uint8Array {
  return foldRight(frontier);
}

/** Reads the frontier of the first `size` leaves from a node source (O(log size) lookups). */
export function frontierAt(size: number, getNode: NodeSource): Frontier {
  assertTreeSize(size);
  return rangePieces(0, size).map((piece) => getNode(piece.level, piece.index));
}

/** MTH (RFC 9162 §2.1.1) of a list of leaf hashes, in O(n) hashing and O(log n) memory. */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Uint8Array {
  const frontier: Frontier = [];
  leafHashes.forEach((hash, index) => {
    assertHash(hash, `leaf hash ${index}`);
    pushLeaf(frontier, index, hash);
  });
  return rootFromFrontier(frontier);
}

import type { Hex } from "../../core/policy";

/**
 * The highest stored block that is still on the canonical chain. Stored blocks are a subset of
 * one chain, highest first; once a block matches, every block below it matches too (each hash
 * commits to its parent), so a binary search needs O(log n) header reads. Returns undefined when
 * none matches (a reorg below everything stored: the sync starts over).
 */
export async function findCommonAncestor(
  stored: ReadonlyArray<{ number: number; hash: Hex }>,
  canonicalHash: (blockNumber: number) => Promise<Hex | null>,
): Promise<{ number: number; hash: Hex } | undefined> {
  // Highest first: [0, firstMatch) mismatch, [firstMatch, length) match.
  let low = 0;
  let high = stored.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const block = stored[middle]!;
    if ((await canonicalHash(block.number)) === block.hash) high = middle;
    else low = middle + 1;
  }
  return stored[low];
}

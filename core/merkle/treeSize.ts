import { MerkleError } from "./errors";

/**
 * Tree sizes and leaf indexes are JavaScript numbers: safe integers (below 2^53) so that
 * arithmetic is exact. Bit operators (`>>`, `&`) are 32-bit in JavaScript, so the helpers
 * here use division and remainder instead.
 */
export function assertTreeSize(size: unknown, what = "tree size"): asserts size is number {
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw new MerkleError("SIZE_INVALID", `${what} must be a safe non-negative integer`);
  }
}

/** Throws `INDEX_OUT_OF_RANGE` unless `index` is an integer in `[0, size)`. */
export function assertLeafIndex(index: unknown, size: number): asserts index is number {
  if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new MerkleError("INDEX_OUT_OF_RANGE", `leaf index ${String(index)} is not in a tree of size ${size}`);
  }
}

/** `value >> 1` for safe integers. */
export function half(value: number): number {
  return Math.floor(value / 2);
}

export function isOdd(value: number): boolean {
  return value % 2 === 1;
}

/** The largest power of two strictly below `n` (the `k` of RFC 9162 §2.1.1); `n` must be at least 2. */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** `2^level`. */
export function subtreeWidth(level: number): number {
  return 2 ** level;
}

/** The level of a complete subtree `width` leaves wide (`width` is a power of two). */
export function levelOfWidth(width: number): number {
  let level = 0;
  while (subtreeWidth(level) < width) level++;
  return level;
}

import { createHash } from "node:crypto";

/**
 * A deliberately naive, independent transcription of the RFC 9162 §2.1 recursive
 * definitions (MTH, PATH, PROOF/SUBPROOF), using createHash rather than the code under test.
 * Tests compare the iterative implementation in core/merkle with it.
 */
function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
}

export function referenceLeafHash(data: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0), data);
}

function k(n: number): number {
  let power = 1;
  while (power * 2 < n) power *= 2;
  return power;
}

/** MTH(D[n]) over leaf hashes. */
export function referenceMth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  const split = k(leaves.length);
  return sha256(Uint8Array.of(1), referenceMth(leaves.slice(0, split)), referenceMth(leaves.slice(split)));
}

/** PATH(m, D[n]). */
export function referencePath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const split = k(leaves.length);
  if (m < split) return [...referencePath(m, leaves.slice(0, split)), referenceMth(leaves.slice(split))];
  return [...referencePath(m - split, leaves.slice(split)), referenceMth(leaves.slice(0, split))];
}

function subproof(m: number, leaves: Uint8Array[], b: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [referenceMth(leaves)];
  const split = k(n);
  if (m <= split) return [...subproof(m, leaves.slice(0, split), b), referenceMth(leaves.slice(split))];
  return [...subproof(m - split, leaves.slice(split), false), referenceMth(leaves.slice(0, split))];
}

/** PROOF(m, D[n]) for 0 < m <= n. */
export function referenceConsistency(m: number, leaves: Uint8Array[]): Uint8Array[] {
  return subproof(m, leaves, true);
}

/** Distinct, deterministic leaf hashes for tests. */
export function sampleLeafHashes(count: number, salt = 0): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => referenceLeafHash(Uint8Array.of(salt, i >> 8, i & 0xff)));
}

/**
 * An auditor's view of a KMS release log over its public HTTP reads: every entry, and
 * inclusion and consistency proofs checked locally with core/merkle (never trusting the
 * roots the KMS computes for us).
 */
import { fromHex } from "../../../core/bytes";
import { leafHash as hashLeaf, rootFromLeafHashes, verifyConsistency, verifyInclusion } from "../../../core/merkle";

export interface PublicLogEntry {
  index: number;
  leafHash: Uint8Array;
  /** The leaf's JCS text. */
  leaf: string;
}

export interface TreeHead {
  treeSize: number;
  rootHash: Uint8Array;
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Every leaf the KMS serves, page by page (1000 per page). */
export async function readAllEntries(kmsUrl: string): Promise<PublicLogEntry[]> {
  const entries: PublicLogEntry[] = [];
  for (;;) {
    const start = entries.length;
    const page = await getJson<{ treeSize: number; entries: Array<{ index: number; leafHash: string; leaf: string }> }>(
      `${kmsUrl}/v1/log/entries?start=${start}&end=${start + 1000}`,
    );
    for (const entry of page.entries) entries.push({ index: entry.index, leafHash: fromHex(entry.leafHash), leaf: entry.leaf });
    if (page.entries.length === 0 || entries.length >= page.treeSize) return entries;
  }
}

/** RFC 6962 leaf hash of the served text: the entry's leafHash must be what the leaf bytes hash to. */
export function recomputedLeafHash(entry: PublicLogEntry): Uint8Array {
  return hashLeaf(new TextEncoder().encode(entry.leaf));
}

/** The root of the first `treeSize` leaves, computed here from the leaf hashes. */
export function rootOf(entries: readonly PublicLogEntry[], treeSize = entries.length): Uint8Array {
  return rootFromLeafHashes(entries.slice(0, treeSize).map((entry) => entry.leafHash));
}

/** Fetches the inclusion proof of `index` at `head.treeSize` and verifies it against `head.rootHash`. */
export async function checkInclusion(kmsUrl: string, index: number, leafHash: Uint8Array, head: TreeHead): Promise<void> {
  const answer = await getJson<{ proof: string[] }>(`${kmsUrl}/v1/log/proof/inclusion?index=${index}&size=${head.treeSize}`);
  verifyInclusion(leafHash, index, head.treeSize, answer.proof.map(fromHex), head.rootHash);
}

/** Fetches the consistency proof between two heads and verifies it against both roots. */
export async function checkConsistency(kmsUrl: string, older: TreeHead, newer: TreeHead): Promise<void> {
  const answer = await getJson<{ proof: string[] }>(`${kmsUrl}/v1/log/proof/consistency?from=${older.treeSize}&to=${newer.treeSize}`);
  verifyConsistency(older.treeSize, newer.treeSize, older.rootHash, newer.rootHash, answer.proof.map(fromHex));
}

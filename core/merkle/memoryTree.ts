import { MerkleError } from "./errors";
import { assertHash } from "./hash";
import { type Frontier, pushLeaf, rootFromFrontier } from "./frontier";
import { consistencyProof, inclusionProof } from "./proofs";
import { type NodeSource, rootAt } from "./subtrees";
import { assertTreeSize } from "./treeSize";

/**
 * An append-only RFC 6962 tree held in memory, stored the same way as the SQLite release
 * log (complete subtrees by level and index, see `subtrees.ts`). The auditor and the
 * indexer rebuild a KMS's log from its entries with it and check the KMS's proofs.
 */
export interface MemoryTree {
  readonly size: number;
  append(leafHash: Uint8Array): number;
  getNode: NodeSource;
  root(size?: number): Uint8Array;
  inclusionProof(index: number, size?: number): Uint8Array[];
  consistencyProof(fromSize: number, toSize?: number): Uint8Array[];
}

export function createMemoryTree(leafHashes: Iterable<Uint8Array> = []): MemoryTree {
  const levels: Uint8Array[][] = [];
  const frontier: Frontier = [];
  let size = 0;

  const getNode: NodeSource = (level, index) => {
    const hash = levels[level]?.[index];
    if (!hash) throw new MerkleError("NODE_MISSING", `no complete subtree at level ${level}, index ${index}`);
    return hash;
  };

  const checkedSize = (requested: number | undefined): number => {
    if (requested === undefined) return size;
    assertTreeSize(requested);
    if (requested > size) throw new MerkleError("SIZE_INVALID", `tree size ${requested} is beyond the tree (${size})`);
    return requested;
  };

  const append = (leafHash: Uint8Array): number => {
    assertHash(leafHash, "leaf hash");
    for (const node of pushLeaf(frontier, size, leafHash)) (levels[node.level] ??= []).push(node.hash);
    return size++;
  };

  for (const hash of leafHashes) append(hash);

  return {
    get size() {
      return size;
    },
    append,
    getNode,
    root: (requested) => {
      const at = checkedSize(requested);
      return at === size ? rootFromFrontier(frontier) : rootAt(at, getNode);
    },
    inclusionProof: (index, requested) => inclusionProof(index, checkedSize(requested), getNode),
    consistencyProof: (fromSize, toSize) => consistencyProof(fromSize, checkedSize(toSize), getNode),
  };
}

import type { NodeSource } from "../../core/merkle/subtrees";

/**
 * A bounded memory of committed tree nodes in front of the SQLite node source. Nodes never
 * change once committed (the log is append-only and the tables refuse updates), so a cached
 * hash can never go stale; only nodes whose transaction has committed are ever put here.
 *
 * Why: every key release answers with an inclusion proof, about log2(n) node reads; from
 * SQLite that is about 50 µs on the main thread per release. The appender hands each
 * committed batch's new nodes to `remember`, so proofs for recent leaves (the hot case) are
 * served from memory; older nodes are read once and kept. Eviction is first in, first out
 * (`limit` nodes, about 100 bytes each), which keeps the cost of a hit to one Map lookup.
 */
export interface NodeCache {
  source: NodeSource;
  remember(nodes: ReadonlyArray<{ level: number; index: number; hash: Uint8Array }>): void;
  readonly size: number;
}

/** Levels fit in 6 bits and indexes in 2^42, so one safe integer names a node. */
const INDEX_SPAN = 2 ** 42;

export const DEFAULT_NODE_CACHE_LIMIT = 1 << 16;

export function createNodeCache(read: NodeSource, limit = DEFAULT_NODE_CACHE_LIMIT): NodeCache {
  const nodes = new Map<number, Uint8Array>();
  const keep = (key: number, hash: Uint8Array) => {
    if (nodes.size >= limit) {
      // Drop the oldest eighth at once, so eviction is not paid on every insert.
      let drop = Math.max(1, limit >> 3);
      for (const oldest of nodes.keys()) {
        nodes.delete(oldest);
        if (--drop === 0) break;
      }
    }
    nodes.set(key, hash);
  };
  const keyOf = (level: number, index: number) => level * INDEX_SPAN + index;
  return {
    source: (level, index) => {
      const key = keyOf(level, index);
      const cached = nodes.get(key);
      if (cached) return cached;
      const hash = read(level, index);
      keep(key, hash);
      return hash;
    },
    remember: (completed) => {
      for (const node of completed) keep(keyOf(node.level, node.index), node.hash);
    },
    get size() {
      return nodes.size;
    },
  };
}

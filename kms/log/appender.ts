import type Database from "better-sqlite3";
import { type Frontier, frontierAt, pushLeaf, rootFromFrontier } from "../../core/merkle/frontier";
import { leafHash } from "../../core/merkle/hash";
import type { NodeSource } from "../../core/merkle/subtrees";
import { ReleaseLogError } from "../../core/releaseLog/errors";
import { type Statements, toBlob } from "./statements";
import type { BatchAppendResult } from "./types";

/**
 * Appends leaves durably. The tree's frontier (its right edge) lives in memory, so an
 * append is pure hashing plus one INSERT per leaf and per completed node, all in one
 * transaction. The in-memory state moves only after COMMIT returns; if anything fails, the
 * state is re-read from the database (which holds whatever really committed) and the
 * caller gets `LOG_APPEND_FAILED`, so it releases nothing.
 */
export interface TreeState {
  size: number;
  frontier: Frontier;
  root: Uint8Array;
}

export function treeState(size: number, frontier: Frontier): TreeState {
  return { size, frontier, root: rootFromFrontier(frontier) };
}

interface PendingLeaf {
  index: number;
  leafHash: Uint8Array;
  body: Uint8Array;
  nodes: ReturnType<typeof pushLeaf>;
}

export function assertLogEntry(bytes: unknown, maxLeafBytes: number): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > maxLeafBytes) {
    throw new ReleaseLogError("LOG_ENTRY_INVALID", `a log entry must be 1 to ${maxLeafBytes} bytes`);
  }
}

export function createAppender(parameters: {
  db: Database.Database;
  statements: Statements;
  getNode: NodeSource;
  initial: TreeState;
  maxLeafBytes: number;
  now: () => number;
  /** Called with every node a batch completed (leaf hashes included), only after its COMMIT returned. */
  onCommitted?: (nodes: ReadonlyArray<{ level: number; index: number; hash: Uint8Array }>) => void;
}) {
  const { db, statements, getNode, maxLeafBytes, now } = parameters;
  let state = parameters.initial;

  const writeLeaves = db.transaction((pending: PendingLeaf[], createdAt: number) => {
    for (const leaf of pending) {
      statements.insertLeaf.run(leaf.index, toBlob(leaf.leafHash), toBlob(leaf.body), createdAt);
      for (const node of leaf.nodes) {
        if (node.level > 0) statements.insertNode.run(node.level, node.index, toBlob(node.hash));
      }
    }
  });

  /** After a failed commit: trust only what the database holds. */
  const reloadState = () => {
    const size = statements.nextLeafIndex.get() as number;
    state = treeState(size, frontierAt(size, getNode));
  };

  const appendBatch = (leaves: readonly Uint8Array[]): BatchAppendResult => {
    if (!Array.isArray(leaves) || leaves.length === 0) throw new ReleaseLogError("LOG_ENTRY_INVALID", "a batch needs at least one leaf");
    for (const leaf of leaves) assertLogEntry(leaf, maxLeafBytes);
    const frontier = [...state.frontier];
    let size = state.size;
    const pending: PendingLeaf[] = leaves.map((body) => {
      const hash = leafHash(body);
      const nodes = pushLeaf(frontier, size, hash);
      return { index: size++, leafHash: hash, body, nodes };
    });
    try {
      writeLeaves(pending, now());
    } catch (cause) {
      try {
        reloadState();
      } catch {
        // the database is unreachable; the next append fails again, and a restart re-verifies
      }
      throw new ReleaseLogError("LOG_APPEND_FAILED", "the release log could not commit the leaves; nothing was released", { cause });
    }
    state = treeState(size, frontier);
    parameters.onCommitted?.(pending.flatMap((leaf) => leaf.nodes));
    return {
      entries: pending.map((leaf) => ({ index: leaf.index, leafHash: leaf.leafHash })),
      treeSize: state.size,
      rootHash: state.root,
    };
  };

  return {
    appendBatch,
    state: () => state,
  };
}

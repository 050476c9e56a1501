import Database from "better-sqlite3";
import { isBaseError } from "../../core/errors";
import { frontierAt } from "../../core/merkle/frontier";
import { consistencyProof, inclusionProof } from "../../core/merkle/proofs";
import { type NodeSource, rootAt } from "../../core/merkle/subtrees";
import { ReleaseLogError, type ReleaseLogErrorCode } from "../../core/releaseLog/errors";
import { MAX_LEAF_BYTES } from "../../core/releaseLog/leafSchema";
import { createAppender, treeState } from "./appender";
import { createCheckpointStore } from "./checkpoints";
import { migrate } from "./migrations";
import { createNodeCache } from "./nodeCache";
import { type Statements, prepareStatements, toBytes } from "./statements";
import type { LogEntry, OpenReleaseLogOptions, ReleaseLog } from "./types";
import { verifyStoredTree } from "./verifyLog";

/** Runs `work`; passes typed errors through and wraps anything else (SQLite, closed handle) in `code`. */
function guarded<T>(code: ReleaseLogErrorCode, message: string, work: () => T): T {
  try {
    return work();
  } catch (cause) {
    if (isBaseError(cause)) throw cause;
    throw new ReleaseLogError(code, message, { cause });
  }
}

function openDatabase(file: string, busyTimeoutMs: number): Database.Database {
  const db = guarded("LOG_OPEN_FAILED", `cannot open the release log ${file}`, () => new Database(file, { timeout: busyTimeoutMs }));
  try {
    // WAL: readers never block the appender. FULL: each COMMIT is fsynced before it returns,
    // which is what lets the KMS answer only after its leaf is durable.
    const journalMode = db.pragma("journal_mode = WAL", { simple: true });
    db.pragma("synchronous = FULL");
    if (journalMode !== "wal" || db.pragma("synchronous", { simple: true }) !== 2) {
      throw new ReleaseLogError("LOG_OPEN_FAILED", `the release log ${file} cannot run in WAL mode with synchronous=FULL`);
    }
    return db;
  } catch (error) {
    db.close();
    if (isBaseError(error)) throw error;
    throw new ReleaseLogError("LOG_OPEN_FAILED", `cannot configure the release log ${file}`, { cause: error });
  }
}

function storeNodeSource(statements: Statements): NodeSource {
  return (level, index) => {
    const hash = level === 0 ? statements.leafHashAt.get(index) : statements.nodeAt.get(level, index);
    if (!hash) throw new ReleaseLogError("LOG_CORRUPT", `release log is corrupt: node (${level}, ${index}) is missing`);
    return toBytes(hash);
  };
}

function rangeError(message: string): never {
  throw new ReleaseLogError("LOG_RANGE_INVALID", message);
}

function isSafeCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Opens (creating if needed) the KMS's release log: a SQLite file with the RFC 6962 tree
 * stored as leaves plus complete-subtree nodes (see core/merkle/subtrees.ts). With
 * `verifyOnOpen` (the default) the whole tree is recomputed from the leaf bodies and checked
 * against the stored nodes and every signed checkpoint; any mismatch throws `LOG_CORRUPT`
 * so the KMS refuses to start. Other start-up failures: `LOG_OPEN_FAILED`,
 * `LOG_SCHEMA_UNSUPPORTED`.
 */
export function openReleaseLog(options: OpenReleaseLogOptions): ReleaseLog {
  const { file, verifyOnOpen = true, busyTimeoutMs = 5000, maxLeafBytes = MAX_LEAF_BYTES, maxPageSize = 1000 } = options;
  const now = options.now ?? Date.now;
  const db = openDatabase(file, busyTimeoutMs);
  try {
    guarded("LOG_OPEN_FAILED", `cannot migrate the release log ${file}`, () => migrate(db));
    const statements = prepareStatements(db);
    const nodeCache = createNodeCache(storeNodeSource(statements));
    const getNode = nodeCache.source;
    const initial = guarded("LOG_CORRUPT", `release log ${file} cannot be read back`, () => {
      if (verifyOnOpen) return verifyStoredTree(statements);
      const size = statements.nextLeafIndex.get() as number;
      return { size, frontier: frontierAt(size, getNode) };
    });
    const appender = createAppender({
      db,
      statements,
      getNode,
      initial: treeState(initial.size, initial.frontier),
      maxLeafBytes,
      now,
      onCommitted: nodeCache.remember,
    });

    const size = () => appender.state().size;
    const checkedSize = (treeSize: number | undefined, what: string): number => {
      if (treeSize === undefined) return size();
      if (!isSafeCount(treeSize) || treeSize > size()) rangeError(`${what} ${String(treeSize)} is not in [0, ${size()}]`);
      return treeSize;
    };
    const root = (treeSize?: number) => {
      const at = checkedSize(treeSize, "tree size");
      const state = appender.state();
      return at === state.size ? state.root : guarded("LOG_READ_FAILED", "cannot read the release log", () => rootAt(at, getNode));
    };
    const checkpoints = createCheckpointStore({ statements, size, root, now });
    const read = <T>(work: () => T) => guarded("LOG_READ_FAILED", "cannot read the release log", work);

    const entries = (start: number, end: number): LogEntry[] => {
      if (!isSafeCount(start) || !isSafeCount(end) || end < start || start > size()) {
        rangeError(`entries [${String(start)}, ${String(end)}) are not a range inside [0, ${size()}]`);
      }
      const stop = Math.min(end, size(), start + maxPageSize);
      return read(() => statements.leavesInRange.all(start, stop)).map((row) => ({
        index: row.idx,
        leafHash: toBytes(row.leaf_hash),
        body: toBytes(row.body),
        createdAt: row.created_at,
      }));
    };

    return {
      file,
      size,
      root,
      append: (leafBytes) => {
        const batch = guarded("LOG_APPEND_FAILED", "cannot append to the release log", () => appender.appendBatch([leafBytes]));
        const entry = batch.entries[0] as { index: number; leafHash: Uint8Array };
        return { ...entry, treeSize: batch.treeSize, rootHash: batch.rootHash };
      },
      appendBatch: (leaves) => guarded("LOG_APPEND_FAILED", "cannot append to the release log", () => appender.appendBatch(leaves)),
      entry: (index) => {
        if (!isSafeCount(index) || index >= size()) rangeError(`entry ${String(index)} is not in a log of size ${size()}`);
        return entries(index, index + 1)[0] as LogEntry;
      },
      entries,
      inclusionProof: (index, treeSize) => {
        const at = checkedSize(treeSize, "tree size");
        if (!isSafeCount(index) || index >= at) rangeError(`leaf ${String(index)} is not in a tree of size ${at}`);
        return read(() => inclusionProof(index, at, getNode));
      },
      consistencyProof: (fromSize, toSize) => {
        const to = checkedSize(toSize, "second tree size");
        if (!isSafeCount(fromSize) || fromSize > to) rangeError(`first tree size ${String(fromSize)} is not in [0, ${to}]`);
        return read(() => consistencyProof(fromSize, to, getNode));
      },
      recordCheckpoint: (checkpoint, signedAt) => read(() => checkpoints.recordCheckpoint(checkpoint, signedAt)),
      checkpoint: (treeSize) => read(() => checkpoints.checkpoint(treeSize)),
      latestCheckpoint: () => read(() => checkpoints.latestCheckpoint()),
      latestAnchoredCheckpoint: () => read(() => checkpoints.latestAnchoredCheckpoint()),
      markAnchored: (treeSize, transactionHash, blockNumber) => read(() => checkpoints.markAnchored(treeSize, transactionHash, blockNumber)),
      unanchoredCount: () => read(() => checkpoints.unanchoredCount()),
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

import type { Hex } from "viem";
import type { SignedCheckpoint } from "../../core/releaseLog/checkpoint";

/** The result of one durable append: the leaf's place, and a tree head that contains it. */
export interface AppendResult {
  index: number;
  leafHash: Uint8Array;
  treeSize: number;
  rootHash: Uint8Array;
}

/** A group commit: every leaf's place, and the tree head after the whole batch. */
export interface BatchAppendResult {
  entries: Array<{ index: number; leafHash: Uint8Array }>;
  treeSize: number;
  rootHash: Uint8Array;
}

export interface LogEntry {
  index: number;
  leafHash: Uint8Array;
  body: Uint8Array;
  /** Unix milliseconds at which the KMS committed the leaf (local clock; not part of the leaf). */
  createdAt: number;
}

export interface StoredCheckpoint extends SignedCheckpoint {
  /** Unix milliseconds at which the checkpoint was recorded. */
  signedAt: number;
  anchoredTx: Hex | null;
  anchoredBlock: number | null;
}

export interface OpenReleaseLogOptions {
  /** SQLite file; created with its schema when missing. A real file: WAL needs one. */
  file: string;
  /** Recompute and check the whole tree before serving (default true). Refuses to open on a mismatch. */
  verifyOnOpen?: boolean;
  /** How long a write waits for a lock held by another connection (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Largest accepted leaf body (default `MAX_LEAF_BYTES`, 8 KiB). */
  maxLeafBytes?: number;
  /** Largest page `entries()` returns (default 1000). */
  maxPageSize?: number;
  /** Clock for `created_at` / `signed_at`, in unix milliseconds (default `Date.now`). */
  now?: () => number;
}

/**
 * The KMS's release log. Every method is synchronous (better-sqlite3): when `append` or
 * `appendBatch` returns, the leaves are committed with `synchronous=FULL`, so the caller may
 * release the key. Any failure to commit throws `ReleaseLogError` `LOG_APPEND_FAILED`.
 */
export interface ReleaseLog {
  readonly file: string;
  size(): number;
  root(treeSize?: number): Uint8Array;
  append(leafBytes: Uint8Array): AppendResult;
  appendBatch(leaves: readonly Uint8Array[]): BatchAppendResult;
  entry(index: number): LogEntry;
  /** Entries `[start, end)`, at most `maxPageSize` of them and none past the log's end. */
  entries(start: number, end: number): LogEntry[];
  inclusionProof(index: number, treeSize?: number): Uint8Array[];
  consistencyProof(fromSize: number, toSize?: number): Uint8Array[];
  /** Stores a signed checkpoint; refuses one whose root is not this log's root at its size. */
  recordCheckpoint(checkpoint: SignedCheckpoint, signedAt?: number): StoredCheckpoint;
  checkpoint(treeSize: number): StoredCheckpoint | undefined;
  latestCheckpoint(): StoredCheckpoint | undefined;
  latestAnchoredCheckpoint(): StoredCheckpoint | undefined;
  markAnchored(treeSize: number, transactionHash: Hex, blockNumber: number): StoredCheckpoint;
  /** Leaves not covered by an anchored checkpoint: the public gap. */
  unanchoredCount(): number;
  close(): void;
}

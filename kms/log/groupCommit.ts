import { MAX_LEAF_BYTES } from "../../core/releaseLog/leafSchema";
import { assertLogEntry } from "./appender";
import type { AppendResult, ReleaseLog } from "./types";

/**
 * Group commit for concurrent key releases. Each fsync costs milliseconds, so one commit per
 * request caps the KMS at a few hundred releases per second. Requests that reach the log in
 * the same event-loop turn are committed together in one transaction (one fsync), and each
 * caller's promise settles only after that commit: the durability rule is unchanged.
 *
 * Each result carries the tree head after its batch (`treeSize`, `rootHash`), which
 * contains the caller's leaf, so receipts stay valid. A batch that fails to commit rejects
 * every caller in it with `LOG_APPEND_FAILED`. A malformed entry is refused on its own
 * (`LOG_ENTRY_INVALID`) before it can fail a batch.
 */
export interface GroupCommitterOptions {
  /** Most leaves per transaction (default 512); a full queue commits at once. */
  maxBatch?: number;
  /** Must match the log's `maxLeafBytes` (default `MAX_LEAF_BYTES`). */
  maxLeafBytes?: number;
}

export interface GroupCommitter {
  append(leafBytes: Uint8Array): Promise<AppendResult>;
  /** Commits everything queued now (also runs on its own at the end of the event-loop turn). */
  flush(): void;
  readonly pending: number;
}

interface Waiter {
  bytes: Uint8Array;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommitter(log: Pick<ReleaseLog, "appendBatch">, options: GroupCommitterOptions = {}): GroupCommitter {
  const maxBatch = options.maxBatch ?? 512;
  const maxLeafBytes = options.maxLeafBytes ?? MAX_LEAF_BYTES;
  let queue: Waiter[] = [];
  let scheduled = false;

  const commit = (batch: Waiter[]) => {
    try {
      const result = log.appendBatch(batch.map((waiter) => waiter.bytes));
      batch.forEach((waiter, i) => {
        const entry = result.entries[i] as { index: number; leafHash: Uint8Array };
        waiter.resolve({ ...entry, treeSize: result.treeSize, rootHash: result.rootHash });
      });
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  };

  const flush = () => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      commit(batch);
    }
  };

  const append = (leafBytes: Uint8Array) =>
    new Promise<AppendResult>((resolve, reject) => {
      try {
        assertLogEntry(leafBytes, maxLeafBytes);
      } catch (error) {
        reject(error);
        return;
      }
      queue.push({ bytes: leafBytes, resolve, reject });
      if (queue.length >= maxBatch) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });

  return {
    append,
    flush,
    get pending() {
      return queue.length;
    },
  };
}

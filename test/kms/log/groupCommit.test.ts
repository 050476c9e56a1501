import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { leafHash, rootFromLeafHashes, verifyInclusion } from "../../../core/merkle";
import { ReleaseLogError } from "../../../core/releaseLog";
import { createGroupCommitter, openReleaseLog, type ReleaseLog } from "../../../kms/log";
import { makeTempDir, sampleLeaf, withRawDatabase } from "./helpers";

let temp: ReturnType<typeof makeTempDir>;
let log: ReleaseLog;

beforeEach(() => {
  temp = makeTempDir();
  log = openReleaseLog({ file: temp.file, busyTimeoutMs: 0 });
});
afterEach(() => {
  log.close();
  temp.cleanup();
});

describe("createGroupCommitter", () => {
  it("commits appends made in one event-loop turn in one transaction, each with a head that contains it", async () => {
    const batchSpy = vi.spyOn(log, "appendBatch");
    const committer = createGroupCommitter(log);
    const bodies = Array.from({ length: 25 }, (_, i) => sampleLeaf(i));
    const results = await Promise.all(bodies.map((body) => committer.append(body)));
    expect(batchSpy).toHaveBeenCalledTimes(1);
    expect(results.map((result) => result.index)).toEqual(bodies.map((_, i) => i));
    const root = rootFromLeafHashes(bodies.map(leafHash));
    for (const result of results) {
      expect(result.treeSize).toBe(25);
      expect(result.rootHash).toEqual(root);
      verifyInclusion(result.leafHash, result.index, result.treeSize, log.inclusionProof(result.index, result.treeSize), result.rootHash);
    }
  });

  it("settles a caller only after its leaf is committed", async () => {
    const committer = createGroupCommitter(log);
    const result = await committer.append(sampleLeaf(0));
    withRawDatabase(temp.file, (db) => {
      expect(db.prepare("SELECT COUNT(*) FROM leaves WHERE idx = ?").pluck().get(result.index)).toBe(1);
    });
  });

  it("splits a full queue into transactions of at most maxBatch leaves", async () => {
    const batchSpy = vi.spyOn(log, "appendBatch");
    const committer = createGroupCommitter(log, { maxBatch: 8 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => committer.append(sampleLeaf(i))));
    expect(batchSpy.mock.calls.map(([leaves]) => leaves.length)).toEqual([8, 8, 4]);
    expect(results.map((result) => result.treeSize)).toEqual([...Array(8).fill(8), ...Array(8).fill(16), ...Array(4).fill(20)]);
    expect(log.size()).toBe(20);
  });

  it("refuses a malformed entry on its own (LOG_ENTRY_INVALID) without failing the others", async () => {
    const committer = createGroupCommitter(log);
    const settled = await Promise.allSettled([committer.append(sampleLeaf(0)), committer.append(new Uint8Array(0)), committer.append(sampleLeaf(1))]);
    expect(settled.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(((settled[1] as PromiseRejectedResult).reason as ReleaseLogError).code).toBe("LOG_ENTRY_INVALID");
    expect(log.size()).toBe(2);
  });

  it("rejects every caller of a batch that cannot commit with LOG_APPEND_FAILED", async () => {
    const committer = createGroupCommitter(log);
    const other = new Database(temp.file);
    other.exec("BEGIN IMMEDIATE"); // another writer holds the write lock
    const settled = await Promise.allSettled([committer.append(sampleLeaf(0)), committer.append(sampleLeaf(1))]);
    other.exec("ROLLBACK");
    other.close();
    for (const outcome of settled) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ReleaseLogError);
      expect(((outcome as PromiseRejectedResult).reason as ReleaseLogError).code).toBe("LOG_APPEND_FAILED");
    }
    expect(log.size()).toBe(0);
    expect((await committer.append(sampleLeaf(0))).index).toBe(0);
  });
});

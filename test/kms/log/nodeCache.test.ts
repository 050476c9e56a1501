import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryTree, leafHash, verifyInclusion } from "../../../core/merkle";
import { openReleaseLog, type ReleaseLog } from "../../../kms/log";
import { createNodeCache } from "../../../kms/log/nodeCache";
import { expectLogError, makeTempDir, sampleLeaf, withRawDatabase } from "./helpers";

const hashOf = (level: number, index: number) => Uint8Array.of(level, index & 0xff, index >> 8);

describe("node cache", () => {
  it("reads a node once, then serves it from memory", () => {
    const reads: string[] = [];
    const cache = createNodeCache((level, index) => {
      reads.push(`${level}/${index}`);
      return hashOf(level, index);
    });
    expect(cache.source(3, 7)).toEqual(hashOf(3, 7));
    expect(cache.source(3, 7)).toEqual(hashOf(3, 7));
    expect(cache.source(7, 3)).toEqual(hashOf(7, 3));
    expect(reads).toEqual(["3/7", "7/3"]);
  });

  it("serves remembered nodes without reading", () => {
    const cache = createNodeCache(() => {
      throw new Error("must not read");
    });
    cache.remember([{ level: 0, index: 5, hash: hashOf(0, 5) }, { level: 1, index: 2, hash: hashOf(1, 2) }]);
    expect(cache.source(0, 5)).toEqual(hashOf(0, 5));
    expect(cache.source(1, 2)).toEqual(hashOf(1, 2));
  });

  it("keeps at most `limit` nodes, dropping the oldest first, and reads a dropped one again", () => {
    let reads = 0;
    const cache = createNodeCache((level, index) => {
      reads += 1;
      return hashOf(level, index);
    }, 16);
    for (let index = 0; index < 40; index += 1) cache.source(0, index);
    expect(cache.size).toBeLessThanOrEqual(16);
    expect(reads).toBe(40);
    cache.source(0, 39); // newest: still cached
    expect(reads).toBe(40);
    cache.source(0, 0); // oldest: dropped
    expect(reads).toBe(41);
  });

  it("does not cache a failed read", () => {
    let fail = true;
    const cache = createNodeCache((level, index) => {
      if (fail) throw new Error("node missing");
      return hashOf(level, index);
    });
    expect(() => cache.source(2, 1)).toThrow(/node missing/);
    fail = false;
    expect(cache.source(2, 1)).toEqual(hashOf(2, 1));
  });
});

describe("release log with its node cache", () => {
  let temp: ReturnType<typeof makeTempDir>;
  const opened: ReleaseLog[] = [];
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => {
    for (const log of opened.splice(0)) log.close();
    temp.cleanup();
  });
  const open = (options: Partial<Parameters<typeof openReleaseLog>[0]> = {}) => {
    const log = openReleaseLog({ file: temp.file, ...options });
    opened.push(log);
    return log;
  };

  it("gives the same proofs and roots as a freshly opened log reading only from SQLite", () => {
    const log = open();
    const memory = createMemoryTree();
    for (let batch = 0; batch < 9; batch += 1) {
      const leaves = Array.from({ length: batch + 1 }, (_, i) => sampleLeaf(batch * 10 + i));
      log.appendBatch(leaves);
      for (const leaf of leaves) memory.append(leafHash(leaf));
    }
    const size = log.size();
    const fresh = open();
    for (const index of [0, 1, size >> 1, size - 2, size - 1]) {
      for (const at of [index + 1, size]) {
        const proof = log.inclusionProof(index, at);
        expect(proof).toEqual(fresh.inclusionProof(index, at));
        expect(() => verifyInclusion(leafHash(sampleLeafAt(index)), index, at, proof, memory.root(at))).not.toThrow();
      }
    }
    expect(log.consistencyProof(7, size)).toEqual(fresh.consistencyProof(7, size));
    expect(log.root(13)).toEqual(fresh.root(13));
  });

  it("remembers nothing from a batch that failed to commit", () => {
    const log = open({ busyTimeoutMs: 0 });
    log.append(sampleLeaf(0));
    withRawDatabase(temp.file, (db) => {
      db.exec("BEGIN IMMEDIATE"); // another writer holds the write lock
      expectLogError(() => log.appendBatch([sampleLeaf(100), sampleLeaf(101)]), "LOG_APPEND_FAILED");
      db.exec("ROLLBACK");
    });
    log.appendBatch([sampleLeaf(1), sampleLeaf(2)]);
    // Leaf 1 is sampleLeaf(1), not the failed sampleLeaf(100): its proof and the root say so.
    const memory = createMemoryTree();
    for (const n of [0, 1, 2]) memory.append(leafHash(sampleLeaf(n)));
    expect(log.root()).toEqual(memory.root(3));
    expect(() => verifyInclusion(leafHash(sampleLeaf(0)), 0, 3, log.inclusionProof(0, 3), memory.root(3))).not.toThrow();
    expect(log.inclusionProof(2, 3)).toEqual(open().inclusionProof(2, 3));
  });
});

/** The leaf appended at `index` by the first test: batch b holds leaves b*10 .. b*10+b. */
function sampleLeafAt(index: number): Uint8Array {
  let remaining = index;
  for (let batch = 0; ; batch += 1) {
    if (remaining <= batch) return sampleLeaf(batch * 10 + remaining);
    remaining -= batch + 1;
  }
}

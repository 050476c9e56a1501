import fs from "node:fs";
import path from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toHex0x } from "../../../core/bytes";
import { platformPolicyDomain } from "../../../core/contracts/typedData";
import { createMemoryTree, emptyRoot, leafHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from "../../../core/merkle";
import { signCheckpoint, verifyCheckpointSignature } from "../../../core/releaseLog";
import { LATEST_SCHEMA_VERSION, openReleaseLog, type ReleaseLog } from "../../../kms/log";
import { expectLogError, makeTempDir, sampleLeaf, withRawDatabase } from "./helpers";

const account = privateKeyToAccount("0x59c6995e998f97a0a8a3ae0ba0d6b6e24b07d6c85a4a3b7e0b7b2b1d2a4e0b01");
const domain = platformPolicyDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");

let temp: ReturnType<typeof makeTempDir>;
const opened: ReleaseLog[] = [];
function open(options: Partial<Parameters<typeof openReleaseLog>[0]> = {}): ReleaseLog {
  const log = openReleaseLog({ file: temp.file, ...options });
  opened.push(log);
  return log;
}

beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => {
  for (const log of opened.splice(0)) {
    try {
      log.close();
    } catch {
      // already closed by the test
    }
  }
  temp.cleanup();
});

describe("openReleaseLog: storage and durability", () => {
  it("creates an empty log in WAL mode at the latest schema version", () => {
    const log = open();
    expect(log.size()).toBe(0);
    expect(log.root()).toEqual(emptyRoot());
    expect(log.latestCheckpoint()).toBeUndefined();
    expect(log.unanchoredCount()).toBe(0);
    withRawDatabase(temp.file, (db) => {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.prepare("SELECT version FROM schema_version").pluck().get()).toBe(LATEST_SCHEMA_VERSION);
    });
  });

  it("append returns the leaf's index and hash and the new tree head", () => {
    const log = open();
    const bodies = [sampleLeaf(0), sampleLeaf(1), sampleLeaf(2)];
    bodies.forEach((body, i) => {
      const result = log.append(body);
      expect(result.index).toBe(i);
      expect(result.leafHash).toEqual(leafHash(body));
      expect(result.treeSize).toBe(i + 1);
      expect(result.rootHash).toEqual(rootFromLeafHashes(bodies.slice(0, i + 1).map(leafHash)));
    });
    expect(log.entry(1).body).toEqual(bodies[1]);
  });

  it("a committed append is visible to another connection as soon as append returns", () => {
    const log = open();
    log.append(sampleLeaf(0));
    withRawDatabase(temp.file, (db) => expect(db.prepare("SELECT COUNT(*) FROM leaves").pluck().get()).toBe(1));
  });

  for (const verifyOnOpen of [true, false]) {
    it(`reopening (verifyOnOpen=${verifyOnOpen}) keeps the size and root and continues at the next index`, () => {
      const first = open();
      for (let i = 0; i < 13; i++) first.append(sampleLeaf(i));
      const root = first.root();
      first.close();
      const second = open({ verifyOnOpen });
      expect(second.size()).toBe(13);
      expect(second.root()).toEqual(root);
      expect(second.append(sampleLeaf(13)).index).toBe(13);
      expect(second.root()).toEqual(rootFromLeafHashes(Array.from({ length: 14 }, (_, i) => leafHash(sampleLeaf(i)))));
    });
  }

  it("a batch append gives the same tree as sequential appends", () => {
    const sequential = open({ file: path.join(temp.dir, "sequential.sqlite") });
    const batched = open({ file: path.join(temp.dir, "batched.sqlite") });
    const bodies = Array.from({ length: 37 }, (_, i) => sampleLeaf(i));
    for (const body of bodies) sequential.append(body);
    const splits = [1, 5, 2, 16, 13];
    let at = 0;
    for (const count of splits) {
      const result = batched.appendBatch(bodies.slice(at, at + count));
      expect(result.entries.map((entry) => entry.index)).toEqual(Array.from({ length: count }, (_, i) => at + i));
      at += count;
      expect(result.treeSize).toBe(at);
      expect(result.rootHash).toEqual(sequential.root(at));
    }
    expect(batched.root()).toEqual(sequential.root());
    for (let size = 0; size <= 37; size++) expect(batched.root(size)).toEqual(sequential.root(size));
  });

  it("every proof it serves verifies with the pure RFC 9162 verifiers and equals the in-memory tree's", () => {
    const log = open();
    const bodies = Array.from({ length: 33 }, (_, i) => sampleLeaf(i));
    log.appendBatch(bodies);
    const tree = createMemoryTree(bodies.map(leafHash));
    for (let size = 1; size <= 33; size++) {
      const root = log.root(size);
      expect(root).toEqual(tree.root(size));
      for (let index = 0; index < size; index++) {
        const proof = log.inclusionProof(index, size);
        expect(proof).toEqual(tree.inclusionProof(index, size));
        verifyInclusion(leafHash(bodies[index] as Uint8Array), index, size, proof, root);
      }
      for (let from = 0; from <= size; from++) {
        verifyConsistency(from, size, log.root(from), root, log.consistencyProof(from, size));
      }
    }
  });

  it("serves entries in bounded pages and never past the end", () => {
    const log = open({ maxPageSize: 4 });
    log.appendBatch(Array.from({ length: 10 }, (_, i) => sampleLeaf(i)));
    expect(log.entries(0, 100).map((entry) => entry.index)).toEqual([0, 1, 2, 3]);
    expect(log.entries(8, 100).map((entry) => entry.index)).toEqual([8, 9]);
    expect(log.entries(10, 12)).toEqual([]);
    const [entry] = log.entries(3, 4);
    expect(entry?.leafHash).toEqual(leafHash(sampleLeaf(3)));
    expect(entry?.body).toEqual(sampleLeaf(3));
  });

  it("refuses ranges and sizes outside the log with LOG_RANGE_INVALID", () => {
    const log = open();
    log.appendBatch(Array.from({ length: 5 }, (_, i) => sampleLeaf(i)));
    expectLogError(() => log.entries(6, 7), "LOG_RANGE_INVALID", "start past the end");
    expectLogError(() => log.entries(3, 2), "LOG_RANGE_INVALID", "end before start");
    expectLogError(() => log.entries(-1, 2), "LOG_RANGE_INVALID", "negative start");
    expectLogError(() => log.entry(5), "LOG_RANGE_INVALID", "entry past the end");
    expectLogError(() => log.root(6), "LOG_RANGE_INVALID", "root past the end");
    expectLogError(() => log.inclusionProof(5, 5), "LOG_RANGE_INVALID", "index outside size");
    expectLogError(() => log.inclusionProof(0, 6), "LOG_RANGE_INVALID", "size past the end");
    expectLogError(() => log.consistencyProof(4, 3), "LOG_RANGE_INVALID", "sizes out of order");
    expectLogError(() => log.consistencyProof(1, 6), "LOG_RANGE_INVALID", "second size past the end");
    expectLogError(() => log.consistencyProof(1.5, 3), "LOG_RANGE_INVALID", "fractional size");
  });

  it("refuses an empty or oversized entry with LOG_ENTRY_INVALID and writes nothing", () => {
    const log = open({ maxLeafBytes: 64 });
    expectLogError(() => log.append(new Uint8Array(0)), "LOG_ENTRY_INVALID");
    expectLogError(() => log.append(new Uint8Array(65)), "LOG_ENTRY_INVALID");
    expectLogError(() => log.appendBatch([new Uint8Array(3), new Uint8Array(65)]), "LOG_ENTRY_INVALID");
    expectLogError(() => log.appendBatch([]), "LOG_ENTRY_INVALID");
    expect(log.size()).toBe(0);
  });

  it("reports a commit it cannot make as LOG_APPEND_FAILED, keeps its state, and recovers once the lock is gone", () => {
    const log = open({ busyTimeoutMs: 0 });
    log.append(sampleLeaf(0));
    const rootBefore = log.root();
    withRawDatabase(temp.file, (db) => {
      db.exec("BEGIN IMMEDIATE"); // another writer holds the write lock
      expectLogError(() => log.append(sampleLeaf(1)), "LOG_APPEND_FAILED");
      expectLogError(() => log.appendBatch([sampleLeaf(1), sampleLeaf(2)]), "LOG_APPEND_FAILED");
      db.exec("ROLLBACK");
    });
    expect(log.size()).toBe(1);
    expect(log.root()).toEqual(rootBefore);
    expect(log.append(sampleLeaf(1)).index).toBe(1);
    expect(log.root()).toEqual(rootFromLeafHashes([leafHash(sampleLeaf(0)), leafHash(sampleLeaf(1))]));
  });

  it("reports an append to a closed log as LOG_APPEND_FAILED", () => {
    const log = open();
    log.close();
    expectLogError(() => log.append(sampleLeaf(0)), "LOG_APPEND_FAILED");
  });

  it("refuses UPDATE and DELETE of leaves and nodes through SQL (append-only triggers)", () => {
    const log = open();
    log.appendBatch([sampleLeaf(0), sampleLeaf(1)]);
    withRawDatabase(temp.file, (db) => {
      expect(() => db.prepare("UPDATE leaves SET body = x'00' WHERE idx = 0").run()).toThrow(/append-only/);
      expect(() => db.prepare("DELETE FROM leaves WHERE idx = 1").run()).toThrow(/append-only/);
      expect(() => db.prepare("UPDATE nodes SET hash = zeroblob(32)").run()).toThrow(/append-only/);
      expect(() => db.prepare("DELETE FROM nodes").run()).toThrow(/append-only/);
    });
  });
});

describe("openReleaseLog: checkpoints", () => {
  it("records signed checkpoints, tracks anchoring and the unanchored gap", async () => {
    const log = open({ now: () => 1_700_000_000_000 });
    log.appendBatch(Array.from({ length: 4 }, (_, i) => sampleLeaf(i)));
    const first = await signCheckpoint(account, domain, 4, log.root());
    const stored = log.recordCheckpoint(first);
    expect(stored).toEqual({ ...first, signedAt: 1_700_000_000_000, anchoredTx: null, anchoredBlock: null });
    await verifyCheckpointSignature(stored, domain);
    expect(log.unanchoredCount()).toBe(4);

    const tx = toHex0x(leafHash(new Uint8Array([7])));
    expect(log.markAnchored(4, tx, 99)).toMatchObject({ anchoredTx: tx, anchoredBlock: 99 });
    expect(log.unanchoredCount()).toBe(0);

    log.appendBatch([sampleLeaf(4), sampleLeaf(5)]);
    const second = log.recordCheckpoint(await signCheckpoint(account, domain, 6, log.root()));
    expect(log.latestCheckpoint()).toEqual(second);
    expect(log.latestAnchoredCheckpoint()?.treeSize).toBe(4);
    expect(log.unanchoredCount()).toBe(2);
    expect(log.checkpoint(4)?.anchoredBlock).toBe(99);
  });

  it("recording the same checkpoint twice is harmless", async () => {
    const log = open();
    log.append(sampleLeaf(0));
    const checkpoint = await signCheckpoint(account, domain, 1, log.root());
    expect(log.recordCheckpoint(checkpoint, 5)).toEqual(log.recordCheckpoint(checkpoint, 6));
  });

  it("refuses a checkpoint whose root is not the log's root at its size, or beyond the log, as CHECKPOINT_MISMATCH", async () => {
    const log = open();
    log.appendBatch([sampleLeaf(0), sampleLeaf(1)]);
    const wrongRoot = await signCheckpoint(account, domain, 2, log.root(1));
    expectLogError(() => log.recordCheckpoint(wrongRoot), "CHECKPOINT_MISMATCH");
    const beyond = await signCheckpoint(account, domain, 3, log.root());
    expectLogError(() => log.recordCheckpoint(beyond), "CHECKPOINT_MISMATCH");
    expect(log.latestCheckpoint()).toBeUndefined();
  });

  it("refuses a malformed checkpoint as CHECKPOINT_INVALID and an unknown anchor as CHECKPOINT_UNKNOWN", async () => {
    const log = open();
    log.append(sampleLeaf(0));
    const checkpoint = await signCheckpoint(account, domain, 1, log.root());
    expectLogError(() => log.recordCheckpoint({ ...checkpoint, signature: "0x1234" }), "CHECKPOINT_INVALID");
    expectLogError(() => log.recordCheckpoint({ ...checkpoint, kms: "0xnope" as `0x${string}` }), "CHECKPOINT_INVALID");
    expectLogError(() => log.markAnchored(1, `0x${"11".repeat(32)}`, 5), "CHECKPOINT_UNKNOWN");
    log.recordCheckpoint(checkpoint);
    expectLogError(() => log.markAnchored(1, "0x11", 5), "CHECKPOINT_INVALID");
  });
});

describe("openReleaseLog: refusing to start", () => {
  it("refuses a database written by a newer schema as LOG_SCHEMA_UNSUPPORTED", () => {
    open().close();
    withRawDatabase(temp.file, (db) => db.prepare("UPDATE schema_version SET version = 99").run());
    expectLogError(() => open(), "LOG_SCHEMA_UNSUPPORTED");
  });

  it("refuses a file that is not SQLite, or a path it cannot create, as LOG_OPEN_FAILED", () => {
    fs.writeFileSync(temp.file, "this is not a database, just some text that is long enough to have a header".repeat(20));
    expectLogError(() => open(), "LOG_OPEN_FAILED", "garbage file");
    expectLogError(() => open({ file: path.join(temp.dir, "missing", "log.sqlite") }), "LOG_OPEN_FAILED", "missing directory");
  });
});

import { privateKeyToAccount } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { platformPolicyDomain } from "../../../core/contracts/typedData";
import { createMemoryTree, leafHash } from "../../../core/merkle";
import { signCheckpoint } from "../../../core/releaseLog";
import { openReleaseLog } from "../../../kms/log";
import { dropAppendOnlyTriggers, expectLogError, makeTempDir, sampleLeaf, withRawDatabase } from "./helpers";

const account = privateKeyToAccount("0x59c6995e998f97a0a8a3ae0ba0d6b6e24b07d6c85a4a3b7e0b7b2b1d2a4e0b01");
const domain = platformPolicyDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
const LEAVES = 21;

let temp: ReturnType<typeof makeTempDir>;

/** A log of LEAVES leaves, optionally with a signed checkpoint at `checkpointAt`, then closed. */
async function writeLog(checkpointAt?: number): Promise<void> {
  const log = openReleaseLog({ file: temp.file });
  log.appendBatch(Array.from({ length: LEAVES }, (_, i) => sampleLeaf(i)));
  if (checkpointAt !== undefined) log.recordCheckpoint(await signCheckpoint(account, domain, checkpointAt, log.root(checkpointAt)));
  log.close();
}

function tamper(sql: string, ...params: unknown[]): void {
  withRawDatabase(temp.file, (db) => {
    dropAppendOnlyTriggers(db);
    db.prepare(sql).run(...params);
  });
}

/** The log refuses to open with LOG_CORRUPT, for the reason `reason` names. */
function expectCorruptOnOpen(reason: RegExp): void {
  expectLogError(() => openReleaseLog({ file: temp.file }).close(), "LOG_CORRUPT", String(reason));
  expect(() => openReleaseLog({ file: temp.file }).close()).toThrow(reason);
}

beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.cleanup());

describe("verifyOnOpen: the KMS refuses to start on a log that does not add up", () => {
  it("opens an untouched log", async () => {
    await writeLog(LEAVES);
    const log = openReleaseLog({ file: temp.file });
    expect(log.size()).toBe(LEAVES);
    log.close();
  });

  it("detects a changed leaf body (its stored hash no longer matches)", async () => {
    await writeLog();
    tamper("UPDATE leaves SET body = ? WHERE idx = 7", Buffer.from(sampleLeaf(99)));
    expectCorruptOnOpen(/leaf 7's stored hash does not match its body/);
    // Without the check the log opens: verifyOnOpen is what catches this.
    openReleaseLog({ file: temp.file, verifyOnOpen: false }).close();
  });

  it("detects a changed body with a matching new leaf hash (the stored nodes no longer match)", async () => {
    await writeLog();
    const body = Buffer.from(sampleLeaf(99));
    tamper("UPDATE leaves SET body = ?, leaf_hash = ? WHERE idx = 6", body, Buffer.from(leafHash(body)));
    expectCorruptOnOpen(/node \(1, 3\) does not match its leaves/);
  });

  it("detects a rewritten history with every node recomputed, against the signed checkpoint", async () => {
    await writeLog(LEAVES);
    const bodies = Array.from({ length: LEAVES }, (_, i) => sampleLeaf(i === 3 ? 99 : i));
    const forged = createMemoryTree(bodies.map(leafHash));
    withRawDatabase(temp.file, (db) => {
      dropAppendOnlyTriggers(db);
      db.prepare("UPDATE leaves SET body = ?, leaf_hash = ? WHERE idx = 3").run(Buffer.from(bodies[3] as Uint8Array), Buffer.from(leafHash(bodies[3] as Uint8Array)));
      const nodes = db.prepare("SELECT level, idx FROM nodes").all() as Array<{ level: number; idx: number }>;
      const update = db.prepare("UPDATE nodes SET hash = ? WHERE level = ? AND idx = ?");
      for (const { level, idx } of nodes) update.run(Buffer.from(forged.getNode(level, idx)), level, idx);
    });
    expectCorruptOnOpen(/signed checkpoint at size 21 does not match the leaves/);
  });

  it("detects a changed node hash", async () => {
    await writeLog();
    tamper("UPDATE nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 1");
    expectCorruptOnOpen(/node \(2, 1\) does not match its leaves/);
  });

  it("detects a missing node and an extra node", async () => {
    await writeLog();
    tamper("DELETE FROM nodes WHERE level = 1 AND idx = 9");
    expectCorruptOnOpen(/node \(1, 9\) is missing/);
    tamper("INSERT INTO nodes (level, idx, hash) VALUES (1, 9, ?)", Buffer.from(createMemoryTree(Array.from({ length: LEAVES }, (_, i) => leafHash(sampleLeaf(i)))).getNode(1, 9)));
    openReleaseLog({ file: temp.file }).close();
    tamper("INSERT INTO nodes (level, idx, hash) VALUES (4, 7, zeroblob(32))");
    expectCorruptOnOpen(/rows that no leaf completed/);
  });

  it("detects a leaf removed from the middle (indexes no longer contiguous)", async () => {
    await writeLog();
    tamper("DELETE FROM leaves WHERE idx = 4");
    expectCorruptOnOpen(/not contiguous/);
  });

  it("detects a rollback below a signed checkpoint", async () => {
    await writeLog(LEAVES);
    tamper("DELETE FROM leaves WHERE idx = ?", LEAVES - 1);
    tamper("DELETE FROM nodes WHERE (idx + 1) * (1 << level) > ?", LEAVES - 1);
    expectCorruptOnOpen(/signed at size 21 but the log holds 20 leaves/);
  });

  it("detects a changed checkpoint root", async () => {
    await writeLog(13);
    tamper("UPDATE checkpoints SET root_hash = zeroblob(32) WHERE tree_size = 13");
    expectCorruptOnOpen(/signed checkpoint at size 13 does not match/);
  });
});

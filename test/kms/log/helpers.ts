import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect } from "vitest";
import { ReleaseLogError, type ReleaseLogErrorCode } from "../../../core/releaseLog";
import { keyReleaseLeaf } from "../../../core/releaseLog/leaf";

/** A fresh directory per test, removed by `cleanup`. */
export function makeTempDir(): { dir: string; file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-log-"));
  return { dir, file: path.join(dir, "release-log.sqlite"), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function expectLogError(run: () => unknown, code: ReleaseLogErrorCode, label = ""): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `${label}: expected ${code}`).toBeInstanceOf(ReleaseLogError);
  expect((thrown as ReleaseLogError).code, label).toBe(code);
}

/** A real key-release leaf, distinct per `n`. */
export function sampleLeaf(n: number): Uint8Array {
  return keyReleaseLeaf({
    time: 1767225600 + n,
    kms: "0x1111111111111111111111111111111111111111",
    chainId: 31337,
    appRegistry: "0x2222222222222222222222222222222222222222",
    appId: "0x3333333333333333333333333333333333333333",
    instanceId: n.toString(16).padStart(40, "0"),
    composeHash: "cc".repeat(32),
    platformHash: "dd".repeat(32),
    tcbStatus: "UpToDate",
    advisoryIds: [],
    quoteSha256: n.toString(16).padStart(64, "0"),
    policyBlock: { number: 100 + n, hash: `0x${"ab".repeat(32)}` },
    agentKeySha256: "ee".repeat(32),
    keyEpoch: 0,
  }).bytes;
}

/** A second, raw connection to the log file: what someone with the file can do. */
export function withRawDatabase<T>(file: string, work: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** Drops the append-only triggers, as an attacker with the file would before rewriting it. */
export function dropAppendOnlyTriggers(db: Database.Database): void {
  for (const name of ["leaves_no_update", "leaves_no_delete", "nodes_no_update", "nodes_no_delete"]) {
    db.exec(`DROP TRIGGER IF EXISTS ${name}`);
  }
}

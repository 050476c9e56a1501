import { spawn } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import type { Hex, LocalAccount } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, connectChain, createKmsLogClient, type FindingCode, type LogAuditResult } from "../../core/audit";
import { leafHash } from "../../core/merkle";
import type { ReleaseLog } from "../../kms/log";
import { keyReleaseBytes, openLogFile, serveReleaseLog, signAndAnchor, signHead, type LeafChoice, type LogServer } from "./helpers/releaseLogFixture";
import {
  approveRelease,
  devAccount,
  label,
  registerApp,
  registerKmsIdentity,
  revokeRelease,
  setAllowedTcbStatuses,
  setKmsMeasurementAllowed,
  setPlatformAllowed,
  startTestChain,
  type TestChain,
} from "./helpers/testChain";

/**
 * `audit log` against real SQLite release logs served over HTTP and a real Hardhat chain: an
 * honest log passes; a changed leaf, a removed leaf, a log rewritten between two anchored
 * checkpoints (a fork), and leaves whose decision the policy did not allow are each caught.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");
const COMPOSE_OK = label("compose-ok");
const COMPOSE_REVOKED = label("compose-revoked");
const COMPOSE_NEVER = label("compose-never-approved");
const PLATFORM_OK = label("platform-ok");
const PLATFORM_OTHER = label("platform-other");

describe("audit log", () => {
  let chain: TestChain;
  let appId: Hex;
  let earlyBlock: { number: number; hash: Hex };
  let whileAllowed: { number: number; hash: Hex };
  let afterRevocation: { number: number; hash: Hex };
  const servers: LogServer[] = [];
  const logs: ReleaseLog[] = [];

  const blockNow = async () => {
    const block = await chain.client.getBlock();
    return { number: Number(block.number), hash: block.hash };
  };
  const leaf = (kms: LocalAccount, overrides: Partial<LeafChoice> = {}) =>
    keyReleaseBytes(chain, { kms, appId, composeHash: COMPOSE_OK, platformHash: PLATFORM_OK, policyBlock: afterRevocation, ...overrides });
  /** `count` allowed key releases; `batch` makes their instance ids (and so the leaves) differ from another batch's. */
  const honestLeaves = (kms: LocalAccount, count: number, batch = 0) =>
    Array.from({ length: count }, (_, index) => leaf(kms, { instanceId: (batch * 256 + index).toString(16).padStart(4, "0"), time: 1_800_000_000 + index }));

  async function serve(log: ReleaseLog): Promise<string> {
    const server = await serveReleaseLog(log);
    servers.push(server);
    return server.url;
  }

  async function audit(url: string): Promise<LogAuditResult> {
    return auditLog(await connectChain(chain.url, chain.deployment), { deployment: chain.deployment, log: createKmsLogClient({ baseUrl: url }) });
  }

  const codes = (result: LogAuditResult) => new Set(result.findings.map((entry) => entry.code));

  /** A log of `leaves`, anchored after the first `anchorAt` sizes (in order), for `kms`. */
  async function anchoredLog(name: string, kms: LocalAccount, leaves: Uint8Array[], anchorAt: number[]): Promise<ReleaseLog> {
    const log = openLogFile(chain.dir, name);
    logs.push(log);
    for (const [index, bytes] of leaves.entries()) {
      log.append(bytes);
      if (anchorAt.includes(index + 1)) await signAndAnchor(chain, log, kms);
    }
    if (!anchorAt.includes(leaves.length)) await signHead(chain, log, kms);
    return log;
  }

  beforeAll(async () => {
    chain = await startTestChain();
    const maintainer = devAccount(1);
    appId = await registerApp(chain, [maintainer], 1, 0);
    await setPlatformAllowed(chain, PLATFORM_OK, true);
    await setAllowedTcbStatuses(chain, 0b1); // UpToDate only
    await setKmsMeasurementAllowed(chain, label("kms-build"), true);
    for (const index of [10, 11, 12, 13, 15]) await registerKmsIdentity(chain, devAccount(index).address.toLowerCase() as Hex, label(`quote-${index}`), label("kms-build"));
    earlyBlock = await blockNow();
    await registerKmsIdentity(chain, devAccount(14).address.toLowerCase() as Hex, label("quote-14"), label("kms-build"));
    await approveRelease(chain, appId, COMPOSE_OK, [maintainer]);
    await approveRelease(chain, appId, COMPOSE_REVOKED, [maintainer]);
    whileAllowed = await blockNow();
    await revokeRelease(chain, appId, COMPOSE_REVOKED, maintainer);
    afterRevocation = await blockNow();
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    for (const log of logs) log.close();
    await chain?.stop();
  });

  it("passes an honest log: every anchor consistent, every leaf included, every decision allowed", async () => {
    const kms = devAccount(10);
    const leaves = [...honestLeaves(kms, 6), leaf(kms, { composeHash: COMPOSE_REVOKED, policyBlock: whileAllowed }), ...honestLeaves(kms, 3, 1)];
    const log = await anchoredLog("honest", kms, leaves, [4, 8]);
    const result = await audit(await serve(log));
    expect(result.findings).toEqual([]);
    expect(result.treeSize).toBe(10);
    expect(result.anchored.map((checkpoint) => checkpoint.treeSize)).toEqual([4, 8]);
    expect(result.entriesChecked).toBe(10);
    expect(result.leavesJudged).toBe(10);
  });

  it("catches a changed leaf: the anchored root and the leaf's inclusion proof fail", async () => {
    const kms = devAccount(11);
    const log = await anchoredLog("changed", kms, honestLeaves(kms, 8), [4, 8]);
    log.close();
    const db = new Database(path.join(chain.dir, "changed.sqlite"));
    db.exec("DROP TRIGGER leaves_no_update");
    const forged = leaf(kms, { instanceId: "ff" });
    db.prepare("UPDATE leaves SET body = ?, leaf_hash = ? WHERE idx = 2").run(Buffer.from(forged), Buffer.from(leafHash(forged)));
    db.close();
    const tampered = openLogFile(chain.dir, "changed", false);
    logs.push(tampered);
    const result = await audit(await serve(tampered));
    expect(codes(result)).toEqual(new Set<FindingCode>(["LOG_ANCHOR_ROOT_MISMATCH", "LOG_HEAD_ROOT_MISMATCH", "LOG_INCLUSION_PROOF_INVALID"]));
    expect(result.findings.filter((entry) => entry.code === "LOG_ANCHOR_ROOT_MISMATCH").map((entry) => entry.evidence.treeSize)).toEqual([4, 8]);
    expect(result.findings.find((entry) => entry.code === "LOG_INCLUSION_PROOF_INVALID")?.evidence.leafIndex).toBe(2);
  });

  it("catches a removed leaf: the entry is missing from what the log serves", async () => {
    const kms = devAccount(12);
    const log = await anchoredLog("removed", kms, honestLeaves(kms, 8), [4, 8]);
    log.close();
    const db = new Database(path.join(chain.dir, "removed.sqlite"));
    db.exec("DROP TRIGGER leaves_no_delete");
    db.prepare("DELETE FROM leaves WHERE idx = 5").run();
    db.close();
    const tampered = openLogFile(chain.dir, "removed", false);
    logs.push(tampered);
    const result = await audit(await serve(tampered));
    expect(codes(result).has("LOG_ENTRY_MISSING")).toBe(true);
    expect(result.findings.find((entry) => entry.code === "LOG_ENTRY_MISSING")?.evidence.leafIndex).toBe(5);
  });

  it("catches a leaf removed and the log re-signed without it: behind its anchor, with another root", async () => {
    const kms = devAccount(15);
    const leaves = honestLeaves(kms, 8);
    await anchoredLog("original", kms, leaves, [4, 8]);
    const rewritten = openLogFile(chain.dir, "rewritten");
    logs.push(rewritten);
    for (const [index, bytes] of leaves.entries()) if (index !== 2) rewritten.append(bytes);
    await signHead(chain, rewritten, kms);
    const result = await audit(await serve(rewritten));
    // The anchored size 8 is beyond the rewritten log, so it cannot prove 4 -> 8 either.
    expect(codes(result)).toEqual(new Set<FindingCode>(["LOG_HEAD_BEHIND_ANCHOR", "LOG_ANCHOR_ROOT_MISMATCH", "LOG_CONSISTENCY_PROOF_INVALID"]));
    expect(result.findings.find((entry) => entry.code === "LOG_ANCHOR_ROOT_MISMATCH")?.evidence.treeSize).toBe(4);
  });

  it("catches a fork between two anchored checkpoints: no consistency proof links them", async () => {
    const kms = devAccount(13);
    await anchoredLog("fork-a", kms, honestLeaves(kms, 4, 1), [4]);
    const forked = await anchoredLog("fork-b", kms, honestLeaves(kms, 8, 2), [8]);
    const result = await audit(await serve(forked));
    expect(codes(result)).toEqual(new Set<FindingCode>(["LOG_ANCHOR_ROOT_MISMATCH", "LOG_CONSISTENCY_PROOF_INVALID"]));
    const fork = result.findings.find((entry) => entry.code === "LOG_CONSISTENCY_PROOF_INVALID")!;
    expect([fork.evidence.fromTreeSize, fork.evidence.toTreeSize]).toEqual([4, 8]);
  });

  it("reports as KMS misbehaviour every leaf whose policy block did not allow it, with evidence", async () => {
    const kms = devAccount(14);
    const leaves = [
      leaf(kms), // 0: allowed
      leaf(kms, { composeHash: COMPOSE_NEVER }), // 1
      leaf(kms, { composeHash: COMPOSE_REVOKED }), // 2: revoked before the policy block
      leaf(kms, { composeHash: COMPOSE_REVOKED, policyBlock: whileAllowed }), // 3: allowed then
      leaf(kms, { platformHash: PLATFORM_OTHER }), // 4
      leaf(kms, { tcbStatus: "OutOfDate" }), // 5
      leaf(kms, { policyBlock: { number: afterRevocation.number, hash: label("not-the-block") } }), // 6
      leaf(kms, { policyBlock: earlyBlock, composeHash: COMPOSE_OK }), // 7: before the KMS was registered (and before approval)
    ];
    const log = await anchoredLog("violations", kms, leaves, [8]);
    const result = await audit(await serve(log));
    const byLeaf = result.misbehaviour.map((entry) => [entry.evidence.leafIndex, entry.code]);
    expect(byLeaf).toEqual([
      [1, "LEAF_COMPOSE_HASH_NOT_ALLOWED"],
      [2, "LEAF_COMPOSE_HASH_NOT_ALLOWED"],
      [4, "LEAF_PLATFORM_NOT_ALLOWED"],
      [5, "LEAF_TCB_STATUS_NOT_ALLOWED"],
      [6, "LEAF_POLICY_BLOCK_NOT_CANONICAL"],
      [7, "LEAF_KMS_NOT_REGISTERED"],
      [7, "LEAF_COMPOSE_HASH_NOT_ALLOWED"],
    ]);
    expect(result.findings).toEqual(result.misbehaviour);
    const revoked = result.misbehaviour[1]!;
    expect(revoked.evidence).toMatchObject({ reason: "revoked", composeHash: COMPOSE_REVOKED.slice(2), policyBlock: afterRevocation });
    expect(result.misbehaviour[0]!.evidence.reason).toBe("not-approved");
  });

  it("exits 1 and prints the misbehaviour as JSON evidence from the CLI", async () => {
    const kms = devAccount(14);
    const url = servers[servers.length - 1]!.url;
    const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ["bin/basekms.js", "audit", "log", "--rpc", chain.url, "--deployment", chain.deploymentFile, "--kms", url, "--json"], { cwd: REPO_ROOT });
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.on("close", (code) => resolve({ code, stdout }));
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; kms: string; misbehaviour: Array<{ code: string }> };
    expect(report.ok).toBe(false);
    expect(report.kms).toBe(kms.address.toLowerCase());
    expect(report.misbehaviour).toHaveLength(7);
  });

  it("fails with AUDIT_KMS_UNAVAILABLE when the log cannot be reached", async () => {
    await expect(audit("http://127.0.0.1:1")).rejects.toMatchObject({ code: "AUDIT_KMS_UNAVAILABLE" });
  });
});

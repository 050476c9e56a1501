import { spawn } from "node:child_process";
import path from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditReport, connectChain, createKmsLogClient, parsePeriodBound } from "../../core/audit";
import type { ReleaseLog } from "../../kms/log";
import { keyReleaseBytes, openLogFile, serveReleaseLog, signAndAnchor, type LogServer } from "./helpers/releaseLogFixture";
import {
  approveRelease,
  devAccount,
  increaseTime,
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
 * `audit report` on a real chain and a real, verified release log: which compose hashes were
 * allowed in a period, which received keys, how many releases and distinct instances; and the CLI.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");
const OLD = label("report-old");
const NEW = label("report-new");
const PLATFORM = label("report-platform");

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/basekms.js", "audit", "report", ...args], { cwd: REPO_ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("audit report", () => {
  let chain: TestChain;
  let appId: Hex;
  let log: ReleaseLog;
  let server: LogServer;
  let revokedAt: number;
  let newApprovedBlock: number;

  beforeAll(async () => {
    chain = await startTestChain();
    const kms = devAccount(10);
    const maintainer = devAccount(1);
    appId = await registerApp(chain, [maintainer], 1, 0);
    await setPlatformAllowed(chain, PLATFORM, true);
    await setAllowedTcbStatuses(chain, 0b1);
    await setKmsMeasurementAllowed(chain, label("report-kms"), true);
    await registerKmsIdentity(chain, kms.address.toLowerCase() as Hex, label("report-quote"), label("report-kms"));
    await approveRelease(chain, appId, OLD, [maintainer]);
    const oldBlock = await chain.client.getBlock();
    await increaseTime(chain, 1000);
    await approveRelease(chain, appId, NEW, [maintainer]);
    newApprovedBlock = Number(await chain.client.getBlockNumber());
    await increaseTime(chain, 1000);
    await revokeRelease(chain, appId, OLD, maintainer);
    const revocation = await chain.client.getBlock();
    revokedAt = Number(revocation.timestamp);
    await increaseTime(chain, 1000);
    const newBlock = await chain.client.getBlock();
    log = openLogFile(chain.dir, "report-kms");
    const at = (block: typeof oldBlock) => ({ number: Number(block.number), hash: block.hash });
    const t0 = Number(oldBlock.timestamp);
    for (const [composeHash, block, instanceId, time] of [
      [OLD, oldBlock, "01", t0 + 10],
      [OLD, oldBlock, "01", t0 + 20],
      [OLD, oldBlock, "02", t0 + 30],
      [NEW, newBlock, "01", Number(newBlock.timestamp) + 10],
      [NEW, newBlock, "03", Number(newBlock.timestamp) + 20],
    ] as const) {
      log.append(keyReleaseBytes(chain, { kms, appId, composeHash, platformHash: PLATFORM, policyBlock: at(block), instanceId, time }));
    }
    await signAndAnchor(chain, log, kms);
    server = await serveReleaseLog(log);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    log?.close();
    await chain?.stop();
  });

  it("reports, for the whole history, every allowed compose hash with its key releases and instances", async () => {
    const result = await auditReport(await connectChain(chain.url, chain.deployment), {
      deployment: chain.deployment,
      appId,
      from: parsePeriodBound("2000-01-01", "from"),
      to: parsePeriodBound("2100-01-01", "to"),
      log: createKmsLogClient({ baseUrl: server.url }),
    });
    expect(result.logAudit?.findings).toEqual([]);
    const byHash = Object.fromEntries(result.report.composeHashes.map((entry) => [entry.composeHash, entry]));
    expect(byHash[OLD]).toMatchObject({ allowedInPeriod: true, keyReleases: 3, distinctInstances: 2, intervals: [expect.objectContaining({ until: revokedAt })] });
    expect(byHash[NEW]).toMatchObject({ allowedInPeriod: true, keyReleases: 2, distinctInstances: 2 });
    expect(result.report.totals).toEqual({ composeHashesAllowed: 2, composeHashesWithKeys: 2, keyReleases: 5, distinctInstances: 3 });
    expect(result.report.keyReleasesNotAllowed).toEqual([]);
  });

  it("leaves out a compose hash revoked before the period (block bounds)", async () => {
    const head = Number(await chain.client.getBlockNumber());
    const result = await auditReport(await connectChain(chain.url, chain.deployment), {
      deployment: chain.deployment,
      appId,
      from: { kind: "time", time: revokedAt },
      to: { kind: "block", block: head },
    });
    expect(result.report.composeHashes.map((entry) => entry.composeHash)).toEqual([NEW]);
    expect(result.logAudit).toBeNull();
    expect(result.period.toBlock).toBe(head);
    expect(newApprovedBlock).toBeLessThan(head);
  });

  it("prints the report as JSON and as a table from the CLI, exit 0", async () => {
    const json = await runCli(["--rpc", chain.url, "--deployment", chain.deploymentFile, "--app", appId, "--from", "2000-01-01", "--to", "2100-01-01", "--kms", server.url, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, appId, totals: { keyReleases: 5, distinctInstances: 3 }, keyReleaseSource: { treeSize: 5 } });
    const table = await runCli(["--rpc", chain.url, "--deployment", chain.deploymentFile, "--app", appId, "--from", "2000-01-01", "--to", "2100-01-01"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain(NEW);
    expect(table.stdout).toContain("unknown (no --kms)");
  });

  it("refuses an unregistered app with AUDIT_APP_UNKNOWN (exit 1) and a bad date as a usage error (exit 2)", async () => {
    const unknown = await runCli(["--rpc", chain.url, "--deployment", chain.deploymentFile, "--app", `0x${"00".repeat(20)}`, "--from", "1", "--to", "2"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("AUDIT_APP_UNKNOWN");
    const badDate = await runCli(["--rpc", chain.url, "--deployment", chain.deploymentFile, "--app", appId, "--from", "last week", "--to", "2"]);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain("USAGE");
  });
});

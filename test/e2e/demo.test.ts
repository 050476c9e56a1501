import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, utf8 } from "../../core/bytes";
import { deriveDiskKey } from "../../core/crypto/keyDerivation";
import { ROOT_SECRET_FILE } from "../../kms/obtainRootSecret";
import { readSandboxSecretFile } from "../../kms/secrets";
import { WATCH_HISTORY } from "../../examples/toy-social-api/data";
import { socialApiEndpointsOf } from "../../examples/toy-social-app/composeEndpoints";
import { openRecords, sealRecords } from "../../examples/toy-social-app/sealedRecords";
import { readSealedRecords } from "../../examples/toy-social-app/socialApp";
import { loadDemoBuild } from "../../cli/dev/demo/demoBuilds";
import type { DemoResult } from "../../cli/dev/demo/demoResult";
import { type DevProcess, type DevSummary, childPidsOf, commandLineOf, ended, isAlive, refusesConnections, startDevProcess } from "./support/devProcess";
import { runCli } from "./support/kmsProcess";
import { getJson, readAllEntries } from "./support/logReader";

/**
 * `npm start` end to end (issue 6): `basekms dev` as a child process brings up the Hardhat
 * node, the contracts, a sandbox KMS, the indexer and the toy social API on loopback, runs the
 * demo, and stays up. The test checks the demo's outcomes as it reports them, then checks them
 * again from outside: the KMS's public log, its refusal metrics, the indexer's API, the sealed
 * file opened with the key derived from the KMS's root secret, and the printed "try next"
 * commands run as printed. Last, SIGINT stops everything: exit 0, no process and no port left.
 */
const APPROVED = "0xa6e3c257452b58000df44fe7bbe270de1df52864f72c5d858d166a4baae711ed";
const UNAPPROVED = "0x44b3cff93e84494136b53b8683ce6a5f2edb28d19effb0f2243cd0ec1d36fc49";

let tempDir: string;
let dev: DevProcess;
let summary: DevSummary;
let demo: DemoResult;

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

beforeAll(async () => {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-demo-"));
  dev = await startDevProcess({ dataDir: path.join(tempDir, "dev") });
  summary = dev.summary;
  if (!summary.demo) throw new Error(`the demo did not complete: ${summary.demoFailure}\n${dev.stderr()}`);
  demo = summary.demo;
}, 60_000);

afterAll(async () => {
  // A clean stop even when a test failed before the SIGINT test: SIGKILL would orphan the Hardhat node.
  await dev?.stop("SIGTERM");
  if (summary && isAlive(summary.pids.hardhatNode)) process.kill(summary.pids.hardhatNode, "SIGKILL");
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
});

describe("basekms dev: the stack and the demo", () => {
  it("comes up on loopback, runs the demo to the end and reports the time to ready from process start", () => {
    expect(summary.ok, dev.stderr()).toBe(true);
    expect(summary.demoFailure).toBeNull();
    for (const url of Object.values(summary.urls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(summary.stackReadyMs).toBeGreaterThan(0);
    expect(summary.readyMs).toBeGreaterThanOrEqual(summary.stackReadyMs + demo.durationMs - 2);
    expect(dev.stderr()).toMatch(/ready \d+\.\d s after start/);
  });

  it("registers the app 2 of 3 with a one-day notice, and two maintainers co-sign the watch_history build", () => {
    expect(demo.threshold).toBe(2);
    expect(demo.maintainers).toHaveLength(3);
    expect(demo.noticePeriodSeconds).toBe(86_400);
    expect(demo.approvedBuild.composeHash).toBe(APPROVED);
    expect(demo.approvedBuild.endpoints).toEqual(["watch_history"]);
    expect(demo.unapprovedBuild.composeHash).toBe(UNAPPROVED);
    expect(demo.unapprovedBuild.endpoints).toEqual(["direct_messages"]);
    expect(demo.release.approvers.map((address) => address.toLowerCase()).sort()).toEqual(
      [demo.maintainers[0]!.address, demo.maintainers[1]!.address].map((address) => address.toLowerCase()).sort(),
    );
    expect(demo.release.signatureFiles).toHaveLength(2);
    for (const file of demo.release.signatureFiles) expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({ kind: "Release", composeHash: APPROVED, appId: demo.appId });
    expect(demo.timeAdvanced.blockTimestamp).toBeGreaterThanOrEqual(demo.release.activatesAt);
  });

  it("refuses the approved build before its notice period ends (COMPOSE_HASH_NOT_ALLOWED, not-yet-active)", () => {
    expect(demo.beforeNoticePeriod).toMatchObject({ agentErrorCode: "KMS_REFUSED", kmsErrorCode: "COMPOSE_HASH_NOT_ALLOWED", reason: "not-yet-active", httpStatus: 403 });
  });

  it("gives the booted agent its key, and the same key after a restart", () => {
    expect(demo.firstBoot.kms).toBe(summary.kms.identity);
    expect(demo.firstBoot.logIndex).toBe(0);
    expect(demo.restart).toEqual({ logIndex: 1, sameDiskKey: true, recordsOpened: WATCH_HISTORY.length });
  });

  it("sealed the watch history with the disk key the KMS derives for that instance, and nothing else opens it", () => {
    const rootSecret = readSandboxSecretFile(path.join(summary.dataDir, "kms", ROOT_SECRET_FILE));
    expect(rootSecret).toBeDefined();
    const keyOf = (instanceId: string) =>
      deriveDiskKey(rootSecret as Uint8Array, { chainId: summary.chainId, contract: summary.contracts.AppRegistry, appId: fromHex(demo.appId), instanceId: fromHex(instanceId), epoch: 0 });
    const sealed = demo.firstBoot.sealed;
    expect(sealed.map((entry) => entry.endpoint)).toEqual(["watch_history"]);
    expect(readSealedRecords(keyOf(demo.firstBoot.instanceId), "watch_history", sealed[0]!.file)).toEqual(WATCH_HISTORY);
    const otherInstance = `0x${"00".repeat(19)}01`;
    expect(thrownBy(() => readSealedRecords(keyOf(otherInstance), "watch_history", sealed[0]!.file))).toMatchObject({ code: "SEALED_RECORDS_INVALID" });
  });

  it("refuses the direct_messages build nobody approved (COMPOSE_HASH_NOT_ALLOWED, not-approved), which never reads private data", async () => {
    expect(demo.unapprovedBoot).toMatchObject({ agentErrorCode: "KMS_REFUSED", kmsErrorCode: "COMPOSE_HASH_NOT_ALLOWED", reason: "not-approved", httpStatus: 403 });
    const stats = await getJson<{ served: Record<string, number> }>(`${summary.urls.socialApi}/v1/stats`);
    expect(stats.served).toEqual({ watch_history: 1, direct_messages: 0 });
  });

  it("refuses the old build once its revocation block is confirmed (COMPOSE_HASH_NOT_ALLOWED, revoked)", () => {
    expect(demo.revocation.revoker).toBe(demo.maintainers[2]!.address);
    expect(demo.revocation.kmsPolicyBlock).toBeGreaterThanOrEqual(demo.revocation.blockNumber);
    expect(demo.afterRevocation).toMatchObject({ agentErrorCode: "KMS_REFUSED", kmsErrorCode: "COMPOSE_HASH_NOT_ALLOWED", reason: "revoked", httpStatus: 403 });
  });

  it("the KMS logged exactly the two releases, both of the approved compose hash, and counted three refusals", async () => {
    const entries = await readAllEntries(summary.kms.url);
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      const leaf = JSON.parse(entry.leaf) as { appId: string; composeHash: string; instanceId: string };
      expect(leaf.composeHash).toBe(APPROVED.slice(2));
      expect(leaf.instanceId).toBe(demo.firstBoot.instanceId.slice(2));
      expect(leaf.appId.toLowerCase()).toBe(demo.appId);
    }
    const metrics = await (await fetch(`${summary.kms.url}/metrics`)).text();
    expect(metrics).toMatch(/basekms_refusals_total\{[^}]*code="COMPOSE_HASH_NOT_ALLOWED"[^}]*\} 3\b/);
  });

  it("the audit, from the chain and the log alone, finds that only the approved compose hash ever received the key", () => {
    expect(demo.audit.log).toMatchObject({ ok: true, kms: summary.kms.identity.toLowerCase(), treeSize: 2, leavesJudged: 2, findings: [], misbehaviour: [] });
    expect(demo.audit.log.anchoredTreeSizes).toContain(2);
    expect(demo.audit.report).toEqual({
      ok: true,
      composeHashes: [{ composeHash: APPROVED, allowedInPeriod: true, keyReleases: 2, distinctInstances: 1 }],
      keyReleases: 2,
      keyReleasesNotAllowed: 0,
    });
  });

  it("the indexer behind the web page agrees: audit status green, mirror in sync with no alarm, the same report", async () => {
    expect(demo.indexer).toMatchObject({ auditStatus: "green", reasons: [], mirroredTreeSize: 2, leavesJudged: 2, unanchoredEntries: 0 });
    expect(demo.indexer.report).toEqual({ composeHashes: [{ composeHash: APPROVED, allowedInPeriod: true, keyReleases: 2, distinctInstances: 1 }], keyReleasesNotAllowed: 0 });
    const live = await getJson<{ status: string; reasons: unknown[]; log: { treeSize: number; mirrored: boolean; reachable: boolean } }>(`${summary.indexerUrl}/v1/audit`);
    expect(live).toMatchObject({ status: "green", reasons: [], log: { mirrored: true, reachable: true, treeSize: 2 } });
    const page = await fetch(summary.urls.indexerPage);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
  });

  it("the printed 'try next' commands work against the stack as printed", async () => {
    const env = summary.tryNext.env;
    const byVerb = (verb: string) => summary.tryNext.commands.filter((command) => command.argv.slice(0, 2).join(" ") === verb);
    const runs = await Promise.all(
      summary.tryNext.commands.map(async (command) => {
        const json = command.argv[0] === "audit" && command.argv[1] === "report";
        return { command, run: await runCli(json ? [...command.argv, "--json"] : command.argv, { env, timeoutMs: 40_000 }) };
      }),
    );
    for (const { command, run } of runs) expect(run.code, `${command.argv.join(" ")}\n${run.stdout}\n${run.stderr}`).toBe(command.expectedExitCode);
    expect(byVerb("audit log")).toHaveLength(2);
    const report = runs.find(({ command }) => command.argv[1] === "report")!.run;
    const reported = JSON.parse(report.stdout) as { composeHashes: Array<{ composeHash: string; keyReleases: number }> };
    expect(reported.composeHashes.map((entry) => [entry.composeHash, entry.keyReleases])).toEqual([[APPROVED, 2]]);
    const boot = runs.find(({ command }) => command.argv[0] === "agent")!.run;
    expect(boot.stderr).toContain("COMPOSE_HASH_NOT_ALLOWED");
    const hash = runs.find(({ command }) => command.argv[1] === "hash")!.run;
    expect(hash.stdout.trim()).toBe(APPROVED);
  }, 60_000);

  it("SIGINT stops everything cleanly: exit 0, no child process left, no port listening", async () => {
    // The Hardhat node, and tsx's esbuild service when tsx had files to compile.
    const children = childPidsOf(summary.pids.dev).map((pid) => ({ pid, command: commandLineOf(pid) }));
    expect(children.map((child) => child.pid)).toContain(summary.pids.hardhatNode);
    const exit = await dev.stop("SIGINT");
    expect(exit, dev.stderr()).toEqual({ code: 0, signal: null, killed: false });
    expect(dev.stderr()).toContain("stopped:");
    for (const child of children) expect(await ended(child.pid), `${child.pid}: ${child.command}`).toBe(true);
    expect(isAlive(summary.pids.hardhatNode)).toBe(false);
    for (const url of [summary.urls.rpc, summary.urls.kmsHealth, summary.urls.indexerPage, summary.urls.socialApi]) {
      expect(await refusesConnections(url), url).toBe(true);
    }
  }, 30_000);
});

describe("basekms dev refuses to start", () => {
  it("on a port already in use, naming its flag (CONFIG_INVALID, exit 2), before it starts anything", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const run = await runCli(["dev", "--rpc-port", "0", "--kms-port", String(port), "--indexer-port", "0", "--api-port", "0", "--data-dir", path.join(tempDir, "port-taken")]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`CONFIG_INVALID: 127.0.0.1:${port} is already in use (--kms-port)`);
      expect(fs.existsSync(path.join(tempDir, "port-taken"))).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("on a data directory holding files it did not write, and leaves them alone (CONFIG_INVALID, exit 2)", async () => {
    const dataDir = path.join(tempDir, "someone-elses");
    fs.mkdirSync(dataDir);
    fs.writeFileSync(path.join(dataDir, "thesis.tex"), "precious");
    const run = await runCli(["dev", "--rpc-port", "0", "--kms-port", "0", "--indexer-port", "0", "--api-port", "0", "--data-dir", dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("CONFIG_INVALID");
    expect(run.stderr).toContain("thesis.tex");
    expect(fs.readFileSync(path.join(dataDir, "thesis.tex"), "utf8")).toBe("precious");
  });
});

describe("the demo's toy app", () => {
  it("reads its endpoints from the measured compose file: watch_history for the approved build, direct_messages for the other", () => {
    expect(loadDemoBuild("social-watch-history").endpoints).toEqual(["watch_history"]);
    expect(loadDemoBuild("social-direct-messages").endpoints).toEqual(["direct_messages"]);
  });

  it("refuses a compose file without SOCIAL_API_ENDPOINTS, or naming an unknown endpoint (APP_COMPOSE_ENDPOINTS_INVALID)", () => {
    expect(thrownBy(() => socialApiEndpointsOf({ docker_compose_file: "services: {}\n" }))).toMatchObject({ code: "APP_COMPOSE_ENDPOINTS_INVALID" });
    expect(thrownBy(() => socialApiEndpointsOf({ docker_compose_file: "    SOCIAL_API_ENDPOINTS: watch_history,contacts\n" }))).toMatchObject({ code: "APP_COMPOSE_ENDPOINTS_INVALID" });
    expect(thrownBy(() => socialApiEndpointsOf({}))).toMatchObject({ code: "APP_COMPOSE_ENDPOINTS_INVALID" });
  });

  it("sealed records open only with the same key, under the same name, unaltered (SEALED_RECORDS_INVALID)", () => {
    const key = new Uint8Array(32).fill(7);
    const sealed = sealRecords(key, "watch_history", utf8("[1,2,3]"));
    expect(new TextDecoder().decode(openRecords(key, "watch_history", sealed))).toBe("[1,2,3]");
    expect(thrownBy(() => openRecords(new Uint8Array(32).fill(8), "watch_history", sealed))).toMatchObject({ code: "SEALED_RECORDS_INVALID" });
    expect(thrownBy(() => openRecords(key, "direct_messages", sealed))).toMatchObject({ code: "SEALED_RECORDS_INVALID" });
    const altered = sealed.slice();
    altered[altered.length - 1]! ^= 1;
    expect(thrownBy(() => openRecords(key, "watch_history", altered))).toMatchObject({ code: "SEALED_RECORDS_INVALID" });
  });
});

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditReplay,
  compareViewAnswers,
  connectChain,
  fetchPolicyHistory,
  policyViewChecks,
  readViews,
  replayPolicyHistory,
} from "../../core/audit";
import { replayPolicyEvents } from "../../core/policy";
import { createRandomScenario } from "./helpers/randomScenario";
import { startTestChain, type TestChain } from "./helpers/testChain";

/**
 * `audit replay` against a real Hardhat node: a random history of every operation, rebuilt from
 * events and compared with the views at the head and at a past block; a history with one event
 * removed must differ; and the CLI's exit codes.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/basekms.js", ...args], { cwd: REPO_ROOT, env: { ...process.env, BASEKMS_RPC_URL: "", BASEKMS_DEPLOYMENT: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("audit replay", () => {
  let chain: TestChain;
  let midBlock: number;

  beforeAll(async () => {
    chain = await startTestChain();
    const scenario = createRandomScenario(chain, 7);
    await scenario.run(40);
    midBlock = Number(await chain.client.getBlockNumber());
    const summary = await scenario.run(40);
    expect(Object.keys(summary.operations).length).toBeGreaterThanOrEqual(14); // every operation kind;
  }, 240_000);
  afterAll(async () => chain?.stop());

  it("finds the state rebuilt from events equal to every view at the latest block", async () => {
    const client = await connectChain(chain.url, chain.deployment);
    const audit = await auditReplay(client, { deployment: chain.deployment });
    expect(audit.events.length).toBeGreaterThan(40);
    expect(audit.checks).toBeGreaterThan(50);
    expect(audit.differences).toEqual([]);
  });

  it("finds no difference at a past block either (--to-block)", async () => {
    const client = await connectChain(chain.url, chain.deployment);
    const audit = await auditReplay(client, { deployment: chain.deployment, toBlock: midBlock });
    expect(audit.block.number).toBe(midBlock);
    expect(audit.events.every((event) => event.blockNumber <= BigInt(midBlock))).toBe(true);
    expect(audit.differences).toEqual([]);
  });

  it("rebuilds by parts exactly the state a plain replay gives", async () => {
    const client = await connectChain(chain.url, chain.deployment);
    const events = await fetchPolicyHistory(client, { deployment: chain.deployment, toBlock: Number(await chain.client.getBlockNumber()) });
    expect(replayPolicyHistory(events)).toEqual(replayPolicyEvents(events));
  });

  it("reports VIEW_MISMATCH when an approval is left out of the history", async () => {
    const client = await connectChain(chain.url, chain.deployment);
    const head = await chain.client.getBlock();
    const events = await fetchPolicyHistory(client, { deployment: chain.deployment, toBlock: Number(head.number) });
    // The last approval of a compose hash that nothing later touches: without it, getRelease differs.
    const last = events.findLastIndex(
      (event, index) =>
        event.kind === "ReleaseApproved" &&
        !events.slice(index + 1).some((later) => later.kind === "ReleaseRevoked" && later.appId === event.appId && later.composeHash === event.composeHash),
    );
    expect(last).toBeGreaterThanOrEqual(0);
    const partial = events.filter((_, index) => index !== last);
    const checks = policyViewChecks(replayPolicyHistory(partial), events, head.timestamp);
    const differences = compareViewAnswers(checks, await readViews(client, chain.deployment, checks, Number(head.number)));
    expect(differences.length).toBeGreaterThan(0);
    expect(new Set(differences.map((difference) => difference.code))).toEqual(new Set(["VIEW_MISMATCH"]));
  });

  it("exits 0 with a --json summary when nothing differs", async () => {
    const run = await runCli(["audit", "replay", "--rpc", chain.url, "--deployment", chain.deploymentFile, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { ok: boolean; differences: unknown[]; events: number };
    expect(summary.ok).toBe(true);
    expect(summary.differences).toEqual([]);
  });

  it("exits 1 with AUDIT_BLOCK_OUT_OF_RANGE for a block past the head", async () => {
    const run = await runCli(["audit", "replay", "--rpc", chain.url, "--deployment", chain.deploymentFile, "--to-block", "999999"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("AUDIT_BLOCK_OUT_OF_RANGE");
  });

  it("exits 1 with AUDIT_CHAIN_MISMATCH when the RPC serves another chain than the deployment", async () => {
    const other = path.join(chain.dir, "other-chain.json");
    fs.writeFileSync(other, JSON.stringify({ ...chain.deployment, chainId: 8453 }));
    const run = await runCli(["audit", "replay", "--rpc", chain.url, "--deployment", other]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("AUDIT_CHAIN_MISMATCH");
  });

  it("exits 2 without --rpc", async () => {
    const run = await runCli(["audit", "replay", "--deployment", chain.deploymentFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("USAGE");
  });
});

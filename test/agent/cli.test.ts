import { spawn } from "node:child_process";
import fs, { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { freeLoopbackPort } from "../../core/chain/hardhatNode";
import { main } from "../../cli/main";
import { startAgentChain, type AgentChain } from "./helpers/agentChain";
import { APP_COMPOSE, APP_ID, INSTANCE_ID, registeredKmsBench, type AgentBench } from "./helpers/bootFixture";
import { composeRefusal, expectedDiskKey, kmsRefusal, type FakeKms } from "./helpers/fakeKms";

/**
 * `basekms agent boot` and `basekms agent health` as real child processes (node
 * bin/basekms.js) against a fake KMS and a real Hardhat node: exit codes 0, 1 and 2, the key
 * file's mode, and the raw key on stdout. The processes (about a second each to compile) run
 * concurrently in `beforeAll`.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");

interface CliRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/basekms.js", ...args], { cwd: REPO_ROOT });
    const stdout: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
  });
}

let chain: AgentChain;
let bench: AgentBench;
let dir: string;
const servers: FakeKms[] = [];
const runs: Record<string, CliRun> = {};
let refusingKms: FakeKms;
let expectedKeyHex: string;
let healthAnswer: { status: number; body: any } | undefined;
let usageArgs: { kmsUrl: string; boot: (kmsUrl: string, ...extra: string[]) => string[] };

/** Usage errors stop before any I/O, so they run in this process through the same `main`. */
async function mainExitCode(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(["node", "basekms", ...args]), stderr };
  } finally {
    process.stderr.write = write;
  }
}

beforeAll(async () => {
  chain = await startAgentChain();
  bench = await registeredKmsBench(chain);
  dir = mkdtempSync(path.join(tmpdir(), "basekms-agent-cli-"));
  const composeFile = path.join(dir, "app-compose.json");
  const deploymentFile = path.join(dir, "deployment.json");
  writeFileSync(composeFile, JSON.stringify(APP_COMPOSE, null, 2));
  writeFileSync(deploymentFile, JSON.stringify(chain.deployment));
  expectedKeyHex = toHex(
    expectedDiskKey(bench.rootSecret, {
      chainId: chain.deployment.chainId,
      appRegistry: chain.deployment.contracts.AppRegistry.address as `0x${string}`,
      appId: APP_ID,
      instanceId: INSTANCE_ID,
    }),
  );
  const kms = await bench.startKms();
  refusingKms = await bench.startKms({ keyScript: [composeRefusal("revoked", "compose hash was revoked at block 12")] });
  const jsonRefusingKms = await bench.startKms({ keyScript: [kmsRefusal(403, "PLATFORM_NOT_ALLOWED", "unknown platform")] });
  const jsonReasonKms = await bench.startKms({ keyScript: [composeRefusal("not-yet-active", "compose hash is approved but its notice period has not passed")] });
  servers.push(kms, refusingKms, jsonRefusingKms, jsonReasonKms);
  const boot = (kmsUrl: string, ...extra: string[]): string[] => [
    "agent", "boot",
    "--kms", kmsUrl,
    "--app-compose", composeFile,
    "--app-id", `0x${toHex(APP_ID)}`,
    "--instance-id", toHex(INSTANCE_ID),
    "--quote-provider", "simulator",
    "--rpc", chain.node.url,
    "--deployment", deploymentFile,
    ...extra,
  ];
  const healthPort = await freeLoopbackPort();
  const health = spawn(process.execPath, ["bin/basekms.js", "agent", "health", "--quote-provider", "simulator", "--port", String(healthPort)], {
    cwd: REPO_ROOT,
    stdio: "ignore",
  });
  const healthDone = (async () => {
    for (let tries = 0; tries < 100 && !healthAnswer; tries++) {
      try {
        const response = await fetch(`http://127.0.0.1:${healthPort}/health?nonce=abcd`);
        healthAnswer = { status: response.status, body: await response.json() };
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    health.kill("SIGTERM");
  })();
  const keyFile = path.join(dir, "disk.key");
  const [file, stdout, refused, refusedJson, refusedJsonReason] = await Promise.all([
    runCli(boot(kms.url, "--out", keyFile, "--json")),
    runCli(boot(kms.url, "--out", "-")),
    runCli(boot(refusingKms.url, "--out", path.join(dir, "refused.key"))),
    runCli(boot(jsonRefusingKms.url, "--out", path.join(dir, "refused-json.key"), "--json")),
    runCli(boot(jsonReasonKms.url, "--out", path.join(dir, "refused-json-reason.key"), "--json")),
  ]);
  Object.assign(runs, { file, stdout, refused, refusedJson, refusedJsonReason });
  usageArgs = { kmsUrl: kms.url, boot };
  await healthDone;
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("basekms agent boot", () => {
  it("exits 0 and writes the raw key to --out with mode 0600, printing the receipt as JSON", () => {
    const run = runs.file!;
    expect(run.code, run.stderr).toBe(0);
    const keyFile = path.join(dir, "disk.key");
    expect((fs.statSync(keyFile).mode & 0o777).toString(8)).toBe("600");
    expect(toHex(fs.readFileSync(keyFile))).toBe(expectedKeyHex);
    const summary = JSON.parse(run.stdout.toString());
    expect(summary).toMatchObject({ ok: true, appId: `0x${toHex(APP_ID)}`, instanceId: toHex(INSTANCE_ID), kms: bench.kmsIdentity.address, attempts: 1 });
    expect(run.stdout.toString()).not.toContain(expectedKeyHex);
    expect(run.stderr).not.toContain(expectedKeyHex);
  });

  it("with --out - writes exactly the 32 raw key bytes to stdout and talks on stderr", () => {
    const run = runs.stdout!;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toHaveLength(32);
    expect(toHex(run.stdout)).toBe(expectedKeyHex);
    expect(run.stderr).toContain("key written to");
    expect(run.stderr).toContain("SANDBOX ONLY");
  });

  it("exits 1 on a policy refusal, prints the KMS's errorCode and reason, and asks only once", () => {
    const run = runs.refused!;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("basekms agent boot: KMS_REFUSED (COMPOSE_HASH_NOT_ALLOWED, reason: revoked): ");
    expect(run.stderr).toContain("was revoked at block 12");
    expect(refusingKms.keyRequests).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, "refused.key"))).toBe(false);
  });

  it("exits 1 with a JSON refusal under --json", () => {
    const run = runs.refusedJson!;
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout.toString());
    expect(report).toMatchObject({ ok: false, errorCode: "KMS_REFUSED", kmsErrorCode: "PLATFORM_NOT_ALLOWED" });
    expect(report).not.toHaveProperty("kmsReason");
  });

  it("puts the KMS's reason in the JSON refusal as kmsReason", () => {
    const run = runs.refusedJsonReason!;
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout.toString())).toEqual({
      ok: false,
      errorCode: "KMS_REFUSED",
      kmsErrorCode: "COMPOSE_HASH_NOT_ALLOWED",
      kmsReason: "not-yet-active",
      message: expect.stringContaining("notice period has not passed"),
    });
    expect(fs.existsSync(path.join(dir, "refused-json-reason.key"))).toBe(false);
  });

  it("exits 2 on a malformed --app-id", async () => {
    const args = usageArgs.boot(usageArgs.kmsUrl, "--out", path.join(dir, "usage.key"));
    args[args.indexOf("--app-id") + 1] = "0x1234";
    const run = await mainExitCode(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("app id");
  });

  it("exits 2 when --json and the key would share stdout", async () => {
    const run = await mainExitCode(usageArgs.boot(usageArgs.kmsUrl, "--out", "-", "--json"));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--json");
  });

  it("exits 2 without its required flags", async () => {
    expect((await mainExitCode(["agent", "boot", "--kms", usageArgs.kmsUrl])).code).toBe(2);
  });
});

describe("basekms agent health", () => {
  it("serves evidence with the simulator taint over HTTP", () => {
    expect(healthAnswer?.status).toBe(200);
    expect(healthAnswer?.body).toMatchObject({ service: "basekms-agent", quoteProvider: "simulator", nonce: "abcd" });
    expect(healthAnswer?.body.taint).toEqual(["simulator-quotes", "not-measured"]);
  });
});

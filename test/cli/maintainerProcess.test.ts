import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { DEV_ACCOUNTS, DEV_KEYS, encryptTestKeystore } from "./maintainerFixtures";
import { jsonOf, runCli, startMaintainerChain, writeFile, type MaintainerChain } from "./maintainerHarness";

/**
 * `bin/basekms.js` as real child processes: keys reach the CLI through the environment (a
 * variable named by --key-env, or a keystore password), never through argv, and never come
 * back out in its output or its files.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");
const WATCH_HISTORY = path.join(REPO_ROOT, "examples/social-watch-history/app-compose.json");

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  argv: string[];
}

function runChild(args: string[], env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const argv = ["bin/basekms.js", ...args];
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, argv: child.spawnargs }));
  });
}

function keyBodies(): string[] {
  return DEV_KEYS.map((key) => key.slice(2).toLowerCase());
}

function expectNoKey(...texts: string[]): void {
  for (const text of texts) for (const body of keyBodies()) expect(text.toLowerCase()).not.toContain(body);
}

let chain: MaintainerChain;
let appId: Hex;

beforeAll(async () => {
  chain = await startMaintainerChain();
  process.env.PROC_GOVERNANCE_KEY = DEV_KEYS[0];
  const run = await runCli([
    "app", "register", ...chain.chainFlags, "--signers", [DEV_ACCOUNTS[1]?.address, DEV_ACCOUNTS[2]?.address].join(","),
    "--threshold", "2", "--notice", "0", "--key-env", "PROC_GOVERNANCE_KEY", "--json",
  ]);
  appId = jsonOf(run).appId as Hex;
});

afterAll(async () => {
  delete process.env.PROC_GOVERNANCE_KEY;
  await chain?.stop();
});

describe("keys stay out of argv and output (child processes)", () => {
  it("signs with --key-env and submits with --keystore; the keys appear in no argv, output or file", async () => {
    const signatureFile = path.join(chain.dir, "child-a.json");
    const sign = await runChild(
      [
        "release", "sign", ...chain.chainFlags, "--app", appId, "--compose", WATCH_HISTORY, "--commit", "1f2e3d4c5b6a79880716253443526170f9e8d7c6",
        "--image", `sha256:${"0a".repeat(32)}`, "--tag", "v1.0.0", "--key-env", "MAINTAINER_KEY", "--out", signatureFile,
      ],
      { MAINTAINER_KEY: DEV_KEYS[1] },
    );
    expect(sign.code, sign.stderr).toBe(0);
    expect(sign.stdout).toContain(`signer          ${DEV_ACCOUNTS[1]?.address}`);
    expectNoKey(sign.argv.join(" "), sign.stdout, sign.stderr, fs.readFileSync(signatureFile, "utf8"));

    const keystore = writeFile(chain.dir, "submitter.json", encryptTestKeystore(DEV_KEYS[2], "correct horse battery", { kdf: "scrypt" }));
    const submit = await runChild(["release", "submit", ...chain.chainFlags, signatureFile, "--keystore", keystore, "--json"], {
      BASEKMS_KEYSTORE_PASSWORD: "correct horse battery",
    });
    expect(submit.code, submit.stderr).toBe(0);
    const output = JSON.parse(submit.stdout) as { approvers: string[]; submitterSignatureDropped: boolean; event: { name: string } };
    expect(output.event.name).toBe("ReleaseApproved");
    expect(output.submitterSignatureDropped).toBe(false);
    expect(output.approvers).toHaveLength(2);
    expectNoKey(submit.argv.join(" "), submit.stdout, submit.stderr);
    expect(submit.argv.join(" ")).not.toContain("correct horse battery");
    expect(submit.stdout + submit.stderr).not.toContain("correct horse battery");

    const composeHash = JSON.parse(fs.readFileSync(signatureFile, "utf8")).composeHash as Hex;
    expect(
      await chain.publicClient.readContract({ address: chain.appRegistry, abi: appRegistryAbi, functionName: "isReleaseAllowed", args: [appId, composeHash] }),
    ).toBe(true);
  });

  it("a wrong keystore password exits 1 with KEYSTORE_MAC_MISMATCH and echoes nothing secret", async () => {
    const keystore = writeFile(chain.dir, "wrong.json", encryptTestKeystore(DEV_KEYS[2], "right", { kdf: "pbkdf2" }));
    const run = await runChild(["release", "revoke", ...chain.chainFlags, "--app", appId, "--compose", WATCH_HISTORY, "--keystore", keystore], {
      BASEKMS_KEYSTORE_PASSWORD: "wrong-password-123",
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("KEYSTORE_MAC_MISMATCH");
    expect(run.stderr).not.toContain("wrong-password-123");
    expectNoKey(run.stderr, run.stdout);
  });
});

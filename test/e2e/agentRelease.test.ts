import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../core/bytes";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { deriveDiskKey } from "../../core/crypto/keyDerivation";
import { readSandboxSecretFile } from "../../kms/secrets";
import type { RunningKms } from "../../kms/server";
import type { TestChain } from "../kms/testbedChain";
import { registerTestKms, startTestKms } from "../kms/testbedKms";
import { agentFailure, bootSimulatedAgent } from "./support/agent";
import { runCli } from "./support/kmsProcess";
import { type PublishedApp, instanceIdOf, publishApp, startWorld } from "./support/world";

/**
 * The real agent against the real KMS (in process, real HTTP on loopback) and a real Hardhat
 * node: an allowed release gets the app's disk key, and the agent uses it only after it has
 * checked the receipt, the KMS identity included, on its own RPC.
 */
let chain: TestChain;
let kms: RunningKms;
let app: PublishedApp;
const instanceId = instanceIdOf(0xa1);

beforeAll(async () => {
  chain = await startWorld();
  app = await publishApp(chain, "agent-e2e");
  // Its policy block moves only when a test refreshes it: the first test shows the agent a newer
  // chain state (identity removed) than the one the KMS acts on.
  kms = await startTestKms(chain, { start: { policyPollIntervalMs: 60_000, policyMaxAgeMs: 60_000 } });
});

afterAll(async () => {
  await kms?.close();
  await chain?.stop();
});

const expectedDiskKey = (appInstance: Uint8Array) => {
  const rootSecret = readSandboxSecretFile(path.join(kms.config.dataDir, "root-secret")) as Uint8Array;
  return deriveDiskKey(rootSecret, { chainId: 31337, contract: chain.appRegistry, appId: fromHex(app.appId), instanceId: appInstance, epoch: 0 });
};

describe("agent ↔ real KMS", () => {
  it("the agent refuses a receipt signed by a KMS identity that is not registered on chain (KMS_NOT_REGISTERED)", async () => {
    // Governance removed the KMS after the block the KMS still acts on: the KMS releases, the agent checks the newer state.
    await chain.governance.removeKmsIdentity(kms.identity.address);
    await chain.mine(1);
    const size = kms.log.size();
    const failure = await agentFailure(bootSimulatedAgent(chain, kms.url, app, { instanceId }));
    expect(failure.code).toBe("KMS_NOT_REGISTERED");
    // The KMS did release (and logged it): the agent, not the KMS, declined to use the key.
    expect(kms.log.size()).toBe(size + 1);
  });

  it("an allowed release: the agent verifies the receipt on chain and opens the disk key the KMS derived", async () => {
    await registerTestKms(chain, kms);
    const registered = await chain.client.readContract({ address: chain.platformPolicy, abi: platformPolicyAbi, functionName: "isKmsIdentity", args: [kms.identity.address] });
    expect(registered).toBe(true);

    const result = await bootSimulatedAgent(chain, kms.url, app, { instanceId });
    expect(result.kms).toBe(kms.identity.address);
    expect(result.attempts).toBe(1);
    expect(toHex(result.diskKey)).toBe(toHex(expectedDiskKey(instanceId)));
    expect(result.leaf.composeHash).toBe(toHex(app.composeHash));
    expect(result.leaf.instanceId).toBe(toHex(instanceId));
    // The receipt names the leaf the KMS committed to its log.
    const entry = kms.log.entry(result.receipt.logIndex);
    expect(toHex(entry.leafHash)).toBe(toHex(result.receipt.leafHash));
    expect(toHex(kms.log.root(result.receipt.treeSize))).toBe(toHex(result.receipt.rootHash));
  });

  it("`basekms agent boot` as a process writes the same key to a 0600 file and prints the receipt as JSON", async () => {
    const composeFile = path.join(chain.tempDir, "app-compose.json");
    const keyFile = path.join(chain.tempDir, "disk.key");
    fs.writeFileSync(composeFile, JSON.stringify(app.appCompose, null, 2));
    const run = await runCli([
      "agent", "boot",
      "--kms", kms.url,
      "--app-compose", composeFile,
      "--app-id", app.appId,
      "--instance-id", toHex(instanceId),
      "--out", keyFile,
      "--quote-provider", "simulator",
      "--rpc", chain.node.url,
      "--deployment", chain.deploymentFile,
      "--json",
    ]); // prettier-ignore
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { ok: boolean; kms: string; logIndex: number; leafHash: string; composeHash: string };
    expect(summary.ok).toBe(true);
    expect(summary.kms).toBe(kms.identity.address);
    expect(summary.composeHash).toBe(toHex(app.composeHash));
    expect(summary.leafHash.replace(/^0x/, "")).toBe(toHex(kms.log.entry(summary.logIndex).leafHash));
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(toHex(fs.readFileSync(keyFile))).toBe(toHex(expectedDiskKey(instanceId)));
    expect(run.stdout + run.stderr).not.toContain(toHex(expectedDiskKey(instanceId)));
  });

  it("a compose hash the signers never approved is refused (KMS_REFUSED / COMPOSE_HASH_NOT_ALLOWED), not retried, and logs nothing", async () => {
    const size = kms.log.size();
    const unapproved = { ...app, appCompose: { ...app.appCompose, name: "agent-e2e-tampered" } };
    const failure = await agentFailure(bootSimulatedAgent(chain, kms.url, unapproved, { instanceId, retry: { maxAttempts: 3, initialDelayMs: 10 } }));
    expect(failure).toEqual({ code: "KMS_REFUSED", kmsErrorCode: "COMPOSE_HASH_NOT_ALLOWED" });
    expect(kms.log.size()).toBe(size);
    const metrics = await (await fetch(`${kms.url}/metrics`)).text();
    expect(metrics).toMatch(/basekms_refusals_total\{[^}]*code="COMPOSE_HASH_NOT_ALLOWED"[^}]*\} 1\b/);
  });
});

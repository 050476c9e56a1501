import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../core/chain/hardhatNode";
import type { TestChain } from "../kms/testbedChain";
import { type HttpAnswer, makeAgentVm, requestKey } from "../kms/testbedKms";
import { bootSimulatedAgent } from "./support/agent";
import { type KmsProcess, kmsServeArguments, runCli, startKmsProcess } from "./support/kmsProcess";
import { getJson } from "./support/logReader";
import { type SwitchableRpc, startSwitchableRpc } from "./support/switchableRpc";
import { type PublishedApp, freshDataDir, instanceIdOf, publishApp, registerKmsAndWait, startWorld, waitUntil } from "./support/world";

/**
 * Fail closed, with the KMS as a process and an RPC that really refuses connections (its
 * port closed). test/kms/failClosed.test.ts covers the same rule in process, with a proxy that
 * resets connections, plus the PCCS and the log; this file adds the process, the refused port,
 * the agent's retry through the outage, and start-up without an RPC.
 */
let chain: TestChain;
let app: PublishedApp;
let rpc: SwitchableRpc;
let kms: KmsProcess;

interface Health {
  status: string;
  log: { size: number };
  policy: { stale: boolean; lastError: string | null };
}
const health = () => getJson<Health>(`${kms.url}/health`);
const vm = (instance: number) => makeAgentVm({ appId: app.appId, composeHash: app.composeHash, instanceId: instanceIdOf(instance) });

beforeAll(async () => {
  chain = await startWorld();
  app = await publishApp(chain, "fail-closed");
  rpc = await startSwitchableRpc(chain.node.port);
  kms = await startKmsProcess({ rpcUrl: rpc.url, deploymentFile: chain.deploymentFile, dataDir: freshDataDir(chain, "kms") });
  await registerKmsAndWait(chain, kms.url, kms.summary);
});

afterAll(async () => {
  await kms?.stop();
  await rpc?.close();
  await chain?.stop();
});

describe("fail closed when the KMS's RPC is down (KMS process)", () => {
  it("answers 503 POLICY_UNAVAILABLE and releases nothing while its RPC refuses connections", async () => {
    expect((await requestKey(kms.url, vm(1))).status).toBe(200);
    await rpc.refuse();
    // Until the cached policy block outlives its maximum age (2 s), answers cached for it may still
    // release; after that, or as soon as a policy read needs the RPC, nothing is released.
    let refused: HttpAnswer = { status: 0, json: {} };
    await waitUntil("a 503", async () => (refused = await requestKey(kms.url, vm(2))).status === 503, 10_000);
    expect(refused.json.errorCode).toBe("POLICY_UNAVAILABLE");
    expect(refused.json.sealedKey).toBeUndefined();
    expect(refused.json.receipt).toBeUndefined();

    const size = (await health()).log.size;
    for (let i = 0; i < 3; i++) {
      const again = await requestKey(kms.url, vm(3));
      expect(again.status).toBe(503);
      expect(again.json.errorCode).toBe("POLICY_UNAVAILABLE");
    }
    // Policy reads fail at once; /health calls the policy stale once the block outlives its 2 s.
    await waitUntil("/health to call the policy block stale", async () => (await health()).policy.stale, 10_000);
    const during = await health();
    expect(during.log.size).toBe(size);
    expect(during.status).toBe("degraded");
    expect(during.policy.stale).toBe(true);
    expect(during.policy.lastError).not.toBeNull();
  });

  it("an agent booting during the outage retries on 503, and gets its key once the RPC is back, without a KMS restart", async () => {
    const pid = kms.pid;
    const warnings: string[] = [];
    const boot = bootSimulatedAgent(chain, kms.url, app, {
      instanceId: instanceIdOf(4),
      retry: { maxAttempts: 60, initialDelayMs: 200, maxDelayMs: 400 },
      onWarn: (message) => warnings.push(message),
    });
    await waitUntil("the agent to retry a POLICY_UNAVAILABLE", () => warnings.some((line) => line.includes("POLICY_UNAVAILABLE")), 10_000);
    const sizeDuringOutage = (await health()).log.size;
    await rpc.restore();
    const result = await boot;
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    expect(result.diskKey).toHaveLength(32);
    expect(result.receipt.logIndex).toBe(sizeDuringOutage);
    expect(kms.pid).toBe(pid);
    expect(kms.child.exitCode).toBeNull();
    await waitUntil("/health to recover", async () => (await health()).policy.stale === false);
    expect((await requestKey(kms.url, vm(5))).status).toBe(200);
    const metrics = await (await fetch(`${kms.url}/metrics`)).text();
    expect(metrics).toMatch(/basekms_refusals_total\{[^}]*code="POLICY_UNAVAILABLE"[^}]*\} [1-9]/);
  });

  it("refuses to start (exit 1, RPC_UNREACHABLE) when its RPC refuses connections at start-up", async () => {
    const closedPort = await freeLoopbackPort();
    const args = kmsServeArguments({ rpcUrl: `http://127.0.0.1:${closedPort}`, deploymentFile: chain.deploymentFile, dataDir: freshDataDir(chain, "no-rpc") });
    const run = await runCli(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/RPC_UNREACHABLE/);
    expect(run.stdout).toBe("");
  });
});

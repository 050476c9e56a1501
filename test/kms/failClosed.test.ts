import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { fromHex } from "../../core/bytes";
import { type DevPccsServer, startDevPccsServer } from "../../core/attestation/simulator/pccsServer";
import type { RunningKms } from "../../kms/server";
import { type TestChain, startTestChain } from "./testbedChain";
import { publishTestApp, makeAgentVm, requestKey, startTestKms, testComposeHash } from "./testbedKms";

/** Fail closed: when the RPC, the PCCS or the log is unavailable, nothing is released (503), and the KMS recovers by itself. */
let chain: TestChain;
let kms: RunningKms;
let appId: Hex;
const composeHash = testComposeHash("fail-closed");
const instanceId = fromHex("33".repeat(20));
const vm = () => makeAgentVm({ appId, composeHash, instanceId });

async function eventually<T>(attempt: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  chain = await startTestChain();
  kms = await startTestKms(chain);
  appId = await publishTestApp(chain, kms, composeHash);
});

afterAll(async () => {
  await kms?.close();
  await chain?.stop();
});

describe("fail closed", () => {
  it("answers 503 POLICY_UNAVAILABLE with the RPC down, releases nothing, and recovers when it is back", async () => {
    expect((await requestKey(kms.url, vm())).status).toBe(200);
    const size = kms.log.size();
    chain.proxy.setDown(true);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_200)); // past the policy block's 1 s freshness
      const refused = await requestKey(kms.url, vm());
      expect(refused.status).toBe(503);
      expect(refused.json.errorCode).toBe("POLICY_UNAVAILABLE");
      expect(refused.json.sealedKey).toBeUndefined();
      expect(kms.log.size()).toBe(size);
      const health = (await (await fetch(`${kms.url}/health`)).json()) as { status: string; policy: { stale: boolean; lastError: string | null } };
      expect(health.status).toBe("degraded");
      expect(health.policy.stale).toBe(true);
      expect(health.policy.lastError).not.toBeNull();
    } finally {
      chain.proxy.setDown(false);
    }
    const recovered = await eventually(() => requestKey(kms.url, vm()), (answer) => answer.status === 200);
    expect(recovered.status).toBe(200);
    expect(kms.log.size()).toBe(size + 1);
  });

  it("answers 503 COLLATERAL_UNAVAILABLE while the PCCS is down, and releases once it is back", async () => {
    const pccs: DevPccsServer = await startDevPccsServer();
    const fresh = await startTestKms(chain, { env: { BASEKMS_PCCS_URL: pccs.url } });
    try {
      pccs.setAvailable(false);
      const refused = await requestKey(fresh.url, vm());
      expect(refused.status).toBe(503);
      expect(refused.json.errorCode).toBe("COLLATERAL_UNAVAILABLE");
      expect(fresh.log.size()).toBe(0);
      pccs.setAvailable(true);
      const released = await requestKey(fresh.url, vm());
      expect(released.status, JSON.stringify(released.json)).toBe(200);
      const requests = pccs.requestCount();
      expect((await requestKey(fresh.url, vm())).status).toBe(200);
      expect(pccs.requestCount()).toBe(requests); // cached until nextUpdate
    } finally {
      await fresh.close();
      await pccs.close();
    }
  });

  it("answers 503 LOG_APPEND_FAILED when the leaf cannot be committed, and releases no key", async () => {
    const size = kms.log.size();
    // Another writer holds the database: the KMS's commit times out (busy) and must not release.
    const blocker = new Database(path.join(kms.config.dataDir, "release-log.sqlite"));
    blocker.exec("BEGIN IMMEDIATE");
    try {
      const refused = await requestKey(kms.url, vm());
      expect(refused.status).toBe(503);
      expect(refused.json.errorCode).toBe("LOG_APPEND_FAILED");
      expect(refused.json.sealedKey).toBeUndefined();
    } finally {
      blocker.exec("ROLLBACK");
      blocker.close();
    }
    expect(kms.log.size()).toBe(size);
    expect((await requestKey(kms.url, vm())).status).toBe(200);
  }, 20_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import type { RunningKms } from "../../kms/server";
import type { TestChain } from "../kms/testbedChain";
import { startTestKms } from "../kms/testbedKms";
import { agentFailure, bootSimulatedAgent } from "./support/agent";
import { type PublishedApp, approveUpgrade, freshDataDir, instanceIdOf, publishApp, startWorld } from "./support/world";

/**
 * DESIGN.md, Key release step 5: the disk key is HKDF(rootSecret, chain, contract, app,
 * instance, epoch), deterministic and independent of the compose hash. So the same app
 * instance gets the same key after a KMS restart on the same data directory, and after an
 * upgrade its release signers approved; other instances, and other root secrets, do not.
 */
let chain: TestChain;
let app: PublishedApp;
let upgraded: PublishedApp;
let dataDir: string;
let kms: RunningKms;
const others: RunningKms[] = [];
const instanceId = instanceIdOf(0xb1);
let firstKey: string;

async function startRegisteredKms(directory: string): Promise<RunningKms> {
  const running = await startTestKms(chain, { dataDir: directory });
  await running.policyBlocks.refresh();
  return running;
}

const bootKey = async (target: RunningKms, release: PublishedApp, instance = instanceId) => {
  const result = await bootSimulatedAgent(chain, target.url, release, { instanceId: instance });
  return { key: toHex(result.diskKey), leaf: result.leaf, logIndex: result.receipt.logIndex };
};

beforeAll(async () => {
  chain = await startWorld();
  app = await publishApp(chain, "same-key");
  dataDir = freshDataDir(chain, "kms");
  kms = await startRegisteredKms(dataDir);
  firstKey = (await bootKey(kms, app)).key;
});

afterAll(async () => {
  await kms?.close();
  for (const other of others) await other.close();
  await chain?.stop();
});

describe("the same app instance gets the same disk key", () => {
  it("after the KMS restarts on the same data directory (same root secret, same identity, the log continues)", async () => {
    const identity = kms.identity.address;
    const size = kms.log.size();
    await kms.close();
    kms = await startTestKms(chain, { dataDir });
    expect(kms.identity.address).toBe(identity);
    expect(kms.log.size()).toBe(size);
    const again = await bootKey(kms, app);
    expect(again.key).toBe(firstKey);
    expect(again.logIndex).toBe(size);
  });

  it("after the release signers approve an upgrade to a new compose hash of the same app", async () => {
    upgraded = await approveUpgrade(chain, app, 2);
    await kms.policyBlocks.refresh();
    expect(toHex(upgraded.composeHash)).not.toBe(toHex(app.composeHash));
    const afterUpgrade = await bootKey(kms, upgraded);
    expect(afterUpgrade.leaf.composeHash).toBe(toHex(upgraded.composeHash));
    expect(afterUpgrade.key).toBe(firstKey);
  });

  it("after the old compose hash is revoked, the old code is refused and the upgraded code still gets the key", async () => {
    await chain.apps.revoke(app.appId, app.composeHash, 1);
    await chain.mine(1);
    await kms.policyBlocks.refresh();
    const refused = await agentFailure(bootSimulatedAgent(chain, kms.url, app, { instanceId }));
    expect(refused).toEqual({ code: "KMS_REFUSED", kmsErrorCode: "COMPOSE_HASH_NOT_ALLOWED" });
    expect((await bootKey(kms, upgraded)).key).toBe(firstKey);
  });
});

describe("and no one else does", () => {
  it("another instance of the same app gets a different key", async () => {
    expect((await bootKey(kms, upgraded, instanceIdOf(0xb2))).key).not.toBe(firstKey);
  });

  it("a KMS with another root secret (a fresh data directory, not onboarded) derives a different key", async () => {
    const stranger = await startRegisteredKms(freshDataDir(chain, "stranger"));
    others.push(stranger);
    expect((await bootKey(stranger, upgraded)).key).not.toBe(firstKey);
  });
});

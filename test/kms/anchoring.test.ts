import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { fromHex, toHex } from "../../core/bytes";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { verifyConsistency } from "../../core/merkle/verifyConsistency";
import type { RunningKms } from "../../kms/server";
import { type TestChain, startTestChain } from "./testbedChain";
import { SIMULATOR_PLATFORM_HASH, makeAgentVm, registerTestKms, requestKey, startTestKms, testComposeHash } from "./testbedKms";

/** Anchoring: the KMS puts its signed checkpoints on chain every N entries or T seconds, with retries. */
let chain: TestChain;
let appId: Hex;
const composeHash = testComposeHash("anchoring");
const running: RunningKms[] = [];

beforeAll(async () => {
  chain = await startTestChain();
  await chain.governance.allowPlatform(SIMULATOR_PLATFORM_HASH);
  appId = await chain.apps.register([1], 1, 0);
  await chain.apps.approve(appId, composeHash, [1]);
  await chain.mine(1);
});

afterAll(async () => {
  for (const kms of running) await kms.close();
  await chain?.stop();
});

async function startAnchoringKms(every: number, intervalSeconds: number, options: { register?: boolean } = {}): Promise<RunningKms> {
  const kms = await startTestKms(chain, {
    env: { BASEKMS_ANCHOR_EVERY: String(every), BASEKMS_ANCHOR_INTERVAL: String(intervalSeconds) },
    start: { anchorInitialBackoffMs: 100 },
    ...options,
  });
  running.push(kms);
  return kms;
}

async function release(kms: RunningKms, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const answer = await requestKey(kms.url, makeAgentVm({ appId, composeHash, instanceId: fromHex((kms.log.size() + 1).toString(16).padStart(40, "0")) }));
    expect(answer.status).toBe(200);
  }
}

async function onChainLatest(kms: RunningKms): Promise<{ treeSize: number; rootHash: Hex }> {
  const [treeSize, rootHash] = await chain.client.readContract({ address: chain.platformPolicy, abi: platformPolicyAbi, functionName: "latestCheckpoint", args: [kms.identity.address] });
  return { treeSize: Number(treeSize), rootHash };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("anchoring the release log on chain", () => {
  it("releases nothing while unregistered (503 KMS_NOT_REGISTERED); after governance removes it, refuses again and anchoring retries with backoff; anchors once registered again", async () => {
    const kms = await startAnchoringKms(10, 1, { register: false });
    const refused = await requestKey(kms.url, makeAgentVm({ appId, composeHash, instanceId: fromHex("0a".repeat(20)) }));
    expect(refused.status).toBe(503);
    expect(refused.json.errorCode).toBe("KMS_NOT_REGISTERED");
    expect(kms.log.size()).toBe(0);

    await registerTestKms(chain, kms);
    await release(kms, 2);
    await chain.governance.removeKmsIdentity(kms.identity.address);
    await chain.mine(1);
    await kms.policyBlocks.refresh();
    const afterRemoval = await requestKey(kms.url, makeAgentVm({ appId, composeHash, instanceId: fromHex("0b".repeat(20)) }));
    expect(afterRemoval.status).toBe(503);
    expect(afterRemoval.json.errorCode).toBe("KMS_NOT_REGISTERED");
    expect(kms.log.size()).toBe(2);

    // The anchor interval (1 s) passes while removed: each attempt reverts LogAnchorUnknownKms.
    await waitFor(async () => kms.anchorer.status().consecutiveFailures >= 2);
    const health = (await (await fetch(`${kms.url}/health`)).json()) as any;
    expect(health.status).toBe("degraded");
    expect(health.anchoring.lastError).toMatch(/LogAnchorUnknownKms/);
    expect(health.log.unanchoredEntries).toBe(2);
    expect((await onChainLatest(kms)).treeSize).toBe(0);

    await registerTestKms(chain, kms);
    await waitFor(async () => (await onChainLatest(kms)).treeSize === 2);
    expect((await onChainLatest(kms)).rootHash).toBe(`0x${toHex(kms.log.root(2))}`);
    await waitFor(async () => kms.log.unanchoredCount() === 0);
    const after = (await (await fetch(`${kms.url}/health`)).json()) as any;
    expect(after.log.unanchoredEntries).toBe(0);
    expect(after.log.latestAnchored.treeSize).toBe(2);
    expect(after.log.latestAnchored.anchoredTx).toMatch(/^0x[0-9a-f]{64}$/);
    expect(after.anchoring.consecutiveFailures).toBe(0);
  });

  it("anchors every N entries, and consistency proofs verify between every pair of anchored checkpoints", async () => {
    const kms = await startAnchoringKms(3, 3600);
    for (let round = 1; round <= 3; round++) {
      await release(kms, 3);
      await waitFor(async () => (await onChainLatest(kms)).treeSize === 3 * round);
    }
    // The chain shows the transaction a moment before the KMS marks its row anchored.
    await waitFor(async () => kms.log.latestAnchoredCheckpoint()?.treeSize === 9);
    const events = await chain.client.getContractEvents({
      address: chain.platformPolicy,
      abi: platformPolicyAbi,
      eventName: "CheckpointRecorded",
      args: { kms: kms.identity.address },
      fromBlock: 0n,
    });
    const anchored = events.map((event) => ({ treeSize: Number(event.args.treeSize), rootHash: event.args.rootHash as Hex }));
    expect(anchored.map((checkpoint) => checkpoint.treeSize)).toEqual([3, 6, 9]);
    for (const first of anchored) {
      for (const second of anchored) {
        if (first.treeSize > second.treeSize) continue;
        const proof = (await (await fetch(`${kms.url}/v1/log/proof/consistency?from=${first.treeSize}&to=${second.treeSize}`)).json()) as { proof: string[] };
        verifyConsistency(first.treeSize, second.treeSize, fromHex(first.rootHash), fromHex(second.rootHash), proof.proof.map(fromHex));
      }
    }
    const metrics = await (await fetch(`${kms.url}/metrics`)).text();
    expect(metrics).toMatch(/basekms_log_unanchored_entries 0/);
    expect(metrics).toMatch(/basekms_anchors_total 3/);
  });

  it("anchors after T seconds when fewer than N entries are waiting, and never anchors an empty log", async () => {
    const kms = await startAnchoringKms(1000, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect((await onChainLatest(kms)).treeSize).toBe(0); // size 0 is never anchored
    await release(kms, 1);
    await waitFor(async () => (await onChainLatest(kms)).treeSize === 1, 5_000);
    await waitFor(async () => kms.log.latestAnchoredCheckpoint()?.treeSize === 1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { fromHex, toHex } from "../../core/bytes";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import type { TestChain } from "../kms/testbedChain";
import { makeAgentVm, requestKey } from "../kms/testbedKms";
import { type KmsProcess, startKmsProcess } from "./support/kmsProcess";
import { type TreeHead, checkConsistency, getJson, readAllEntries, rootOf } from "./support/logReader";
import { type PublishedApp, freshDataDir, instanceIdOf, publishApp, registerKmsAndWait, startWorld, waitUntil } from "./support/world";

/**
 * Anchoring, with the KMS as a process (`basekms kms serve --anchor-every 5 --anchor-interval 1`):
 * its signed checkpoints appear on chain (`CheckpointRecorded`, `latestCheckpoint`), across a
 * restart too, and the log proves itself consistent between every pair of anchored heads.
 * (test/kms/anchoring.test.ts covers the anchorer's retry and N/T rules in process.)
 */
let chain: TestChain;
let app: PublishedApp;
let dataDir: string;
let kms: KmsProcess;
let released = 0;

const start = () =>
  startKmsProcess({ rpcUrl: chain.rpcUrl, deploymentFile: chain.deploymentFile, dataDir, flags: ["--anchor-every", "5", "--anchor-interval", "1"] });

async function releaseConcurrently(count: number): Promise<void> {
  const answers = await Promise.all(
    Array.from({ length: count }, () => requestKey(kms.url, makeAgentVm({ appId: app.appId, composeHash: app.composeHash, instanceId: instanceIdOf(++released) }))),
  );
  for (const answer of answers) expect(answer.status, JSON.stringify(answer.json)).toBe(200);
}

async function latestOnChain(): Promise<{ treeSize: number; rootHash: Hex }> {
  const [treeSize, rootHash] = await chain.client.readContract({ address: chain.platformPolicy, abi: platformPolicyAbi, functionName: "latestCheckpoint", args: [kms.summary.kms] });
  return { treeSize: Number(treeSize), rootHash };
}

const waitForAnchoredSize = (treeSize: number) => waitUntil(`an anchor at size ${treeSize}`, async () => (await latestOnChain()).treeSize === treeSize, 15_000);

beforeAll(async () => {
  chain = await startWorld();
  app = await publishApp(chain, "anchoring");
  dataDir = freshDataDir(chain, "kms");
  kms = await start();
  await registerKmsAndWait(chain, kms.url, kms.summary);
});

afterAll(async () => {
  await kms?.stop();
  await chain?.stop();
});

describe("anchoring the release log on chain (KMS process)", () => {
  it("anchors the checkpoints of a growing log: after N entries, and after T seconds for a smaller batch", async () => {
    await releaseConcurrently(7);
    await waitForAnchoredSize(7);
    await releaseConcurrently(3); // fewer than N: the 1 s interval anchors them
    await waitForAnchoredSize(10);
    // The chain shows the transaction a moment before the KMS marks its checkpoint anchored.
    await waitUntil("the KMS to show size 10 anchored, with no gap", async () => {
      const health = await getJson<{ log: { unanchoredEntries: number; latestAnchored: { treeSize: number } | null } }>(`${kms.url}/health`);
      return health.log.latestAnchored?.treeSize === 10 && health.log.unanchoredEntries === 0;
    });
  });

  it("keeps anchoring the same identity's growing log after a restart on the same data directory", async () => {
    const identity = kms.summary.kms;
    expect((await kms.stop()).code).toBe(0);
    kms = await start();
    expect(kms.summary.kms).toBe(identity);
    expect(kms.summary.logSize).toBe(10);
    await releaseConcurrently(4);
    await waitForAnchoredSize(14);
    await waitUntil("no unanchored entries in /health", async () => (await getJson<{ log: { unanchoredEntries: number } }>(`${kms.url}/health`)).log.unanchoredEntries === 0);
  });

  it("every anchored checkpoint is the log's root at its size, and consistency proofs verify between every pair", async () => {
    const events = await chain.client.getContractEvents({
      address: chain.platformPolicy,
      abi: platformPolicyAbi,
      eventName: "CheckpointRecorded",
      args: { kms: kms.summary.kms },
      fromBlock: 0n,
    });
    const anchored: TreeHead[] = events.map((event) => ({ treeSize: Number(event.args.treeSize), rootHash: fromHex(event.args.rootHash as Hex) }));
    const sizes = anchored.map((head) => head.treeSize);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(sizes).toContain(10);
    expect(sizes[sizes.length - 1]).toBe(14);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1] as number);

    const entries = await readAllEntries(kms.url);
    for (const head of anchored) expect(toHex(rootOf(entries, head.treeSize)), `root at ${head.treeSize}`).toBe(toHex(head.rootHash));
    let pairs = 0;
    for (const [i, older] of anchored.entries()) {
      for (const newer of anchored.slice(i)) {
        await checkConsistency(kms.url, older, newer);
        pairs++;
      }
    }
    expect(pairs).toBe((anchored.length * (anchored.length + 1)) / 2);

    const latest = await latestOnChain();
    expect(latest.treeSize).toBe(14);
    expect(latest.rootHash).toBe(`0x${toHex(rootOf(entries, 14))}`);
    const health = await getJson<{ log: { latestAnchored: { treeSize: number; anchoredTx: string } } }>(`${kms.url}/health`);
    expect(health.log.latestAnchored.anchoredTx).toBe(events[events.length - 1]?.transactionHash);
  });
});

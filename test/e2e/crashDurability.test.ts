import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../core/bytes";
import { platformPolicyDomain } from "../../core/contracts/typedData";
import { parseLeaf } from "../../core/releaseLog/leaf";
import { verifyCheckpointSignature } from "../../core/releaseLog/checkpoint";
import { openReleaseLog } from "../../kms/log";
import type { TestChain } from "../kms/testbedChain";
import { makeAgentVm, requestKey } from "../kms/testbedKms";
import { type KeyLoad, startKeyLoad } from "./support/keyLoad";
import { type KmsProcess, startKmsProcess } from "./support/kmsProcess";
import { type PublicLogEntry, type TreeHead, checkConsistency, checkInclusion, readAllEntries, recomputedLeafHash, rootOf } from "./support/logReader";
import { type PublishedApp, freshDataDir, instanceIdOf, publishApp, registerKmsAndWait, startWorld, waitUntil } from "./support/world";

/**
 * Crash durability (DESIGN.md, Key release step 6): the KMS commits each leaf with
 * synchronous=FULL before it answers. So after `kill -9` under concurrent load, every request
 * that got a 200 has its leaf in the log, and the log's root still verifies: at start-up, in
 * the inclusion proofs of those leaves, and in consistency proofs from every tree head a
 * pre-crash receipt carried.
 */
const CONCURRENCY = 12;
let chain: TestChain;
let app: PublishedApp;
let dataDir: string;
const processes: KmsProcess[] = [];

const start = async () => {
  const kms = await startKmsProcess({
    rpcUrl: chain.rpcUrl,
    deploymentFile: chain.deploymentFile,
    dataDir,
    // Anchoring is not under test here: keep the anchorer quiet.
    flags: ["--anchor-every", "10000000", "--anchor-interval", "86400"],
  });
  processes.push(kms);
  return kms;
};

beforeAll(async () => {
  chain = await startWorld();
  app = await publishApp(chain, "crash");
  dataDir = freshDataDir(chain, "kms");
});

afterAll(async () => {
  for (const kms of processes) await kms.stop();
  await chain?.stop();
});

describe("crash durability of the release log (kill -9 under load)", () => {
  let load: KeyLoad;
  let inFlightAtKill = 0;
  let identity: `0x${string}`;
  let restarted: KmsProcess;
  let entries: PublicLogEntry[];
  let head: TreeHead;

  it("the KMS dies by SIGKILL while key requests are in flight", async () => {
    const first = await start();
    await registerKmsAndWait(chain, first.url, first.summary);
    identity = first.summary.kms;
    load = startKeyLoad(first.url, CONCURRENCY, (worker) => makeAgentVm({ appId: app.appId, composeHash: app.composeHash, instanceId: instanceIdOf(worker + 1) }));
    const loadStarted = Date.now();
    await waitUntil("2 s of load and 200 releases", () => Date.now() - loadStarted >= 2_000 && load.report.released.length >= 200, 15_000);
    await waitUntil("requests in flight", () => load.inFlight() >= 2, 2_000);
    inFlightAtKill = load.inFlight();
    const exit = await first.kill9();
    await load.finished;
    expect(exit.signal).toBe("SIGKILL");
    expect(inFlightAtKill).toBeGreaterThanOrEqual(2);
    expect(load.report.unanswered).toBe(CONCURRENCY); // every worker ended on the crash
    // Under load, nothing but releases: no refusal may hide among the answers.
    expect(Object.fromEntries(load.report.refused)).toEqual({});
  });

  it("restarts on the same data directory: the start-up root check passes and the identity is kept", async () => {
    restarted = await start();
    expect(restarted.summary.kms).toBe(identity);
    expect(restarted.summary.logSize).toBeGreaterThanOrEqual(load.report.released.length);
    // A leaf committed whose answer died with the process is allowed: at most one per worker.
    expect(restarted.summary.logSize - load.report.released.length).toBeLessThanOrEqual(CONCURRENCY);
  });

  it("every request that returned 200 has its leaf, at its logIndex, with its leafHash and agent key", async () => {
    entries = await readAllEntries(restarted.url);
    expect(entries).toHaveLength(restarted.summary.logSize);
    for (const released of load.report.released) {
      const entry = entries[released.logIndex];
      expect(entry, `leaf ${released.logIndex}`).toBeDefined();
      expect(toHex(entry!.leafHash)).toBe(released.leafHash);
      const { leaf } = parseLeaf(new TextEncoder().encode(entry!.leaf));
      expect(leaf.agentKeySha256).toBe(released.agentKeySha256);
    }
  });

  it("every leaf hashes to its leafHash, is one of the requests the load sent, and appears once", async () => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      expect(entry.index).toBe(index);
      expect(toHex(recomputedLeafHash(entry))).toBe(toHex(entry.leafHash));
      const { leaf } = parseLeaf(new TextEncoder().encode(entry.leaf));
      expect(leaf.kind).toBe("key-release");
      expect(load.report.sentAgentKeys.has(leaf.agentKeySha256)).toBe(true);
      expect(seen.has(leaf.agentKeySha256)).toBe(false);
      seen.add(leaf.agentKeySha256);
    });
  });

  it("the next release's signed checkpoint covers the recomputed root, and inclusion proofs of all 200s verify against it", async () => {
    const answer = await requestKey(restarted.url, makeAgentVm({ appId: app.appId, composeHash: app.composeHash, instanceId: instanceIdOf(999) }));
    expect(answer.status).toBe(200);
    const receipt = answer.json.receipt as { treeSize: number; rootHash: string; signature: `0x${string}`; kms: `0x${string}`; logIndex: number };
    expect(receipt.logIndex).toBe(entries.length);
    await verifyCheckpointSignature(
      { treeSize: receipt.treeSize, rootHash: `0x${receipt.rootHash}`, kms: identity, signature: receipt.signature },
      platformPolicyDomain(31337, chain.platformPolicy),
    );
    entries = await readAllEntries(restarted.url);
    head = { treeSize: receipt.treeSize, rootHash: fromHex(receipt.rootHash) };
    expect(head.treeSize).toBe(entries.length);
    expect(toHex(rootOf(entries))).toBe(receipt.rootHash);
    for (const released of load.report.released) await checkInclusion(restarted.url, released.logIndex, fromHex(released.leafHash), head);
  });

  it("every tree head a pre-crash receipt carried is consistent with the log after the restart", async () => {
    const heads = new Map<number, string>();
    for (const released of load.report.released) heads.set(released.treeSize, released.rootHash);
    expect(heads.size).toBeGreaterThan(1);
    for (const [treeSize, rootHash] of heads) {
      expect(toHex(rootOf(entries, treeSize)), `root at ${treeSize}`).toBe(rootHash);
      await checkConsistency(restarted.url, { treeSize, rootHash: fromHex(rootHash) }, head);
    }
  });

  it("after a clean stop, the SQLite log reopens with its whole tree re-verified and the same root", async () => {
    const exit = await restarted.stop();
    expect(exit.code).toBe(0);
    const log = openReleaseLog({ file: path.join(dataDir, "release-log.sqlite"), verifyOnOpen: true });
    try {
      expect(log.size()).toBe(head.treeSize);
      expect(toHex(log.root())).toBe(toHex(head.rootHash));
    } finally {
      log.close();
    }
  });
});

import path from "node:path";
import type { Hex, LocalAccount } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectChain, createKmsLogClient, getBlockHeader } from "../../core/audit";
import { createChainQueries } from "../../indexer/db/chainQueries";
import { openIndexerDb, type IndexerDb } from "../../indexer/db/openIndexerDb";
import { createIndexWriter } from "../../indexer/db/writer";
import { createLogMirror, type LogMirror } from "../../indexer/mirror/logMirror";
import { createMirrorStore, type MirrorStore } from "../../indexer/mirror/mirrorStore";
import { createPolicyStateCache } from "../../indexer/policyStateCache";
import { createSyncer } from "../../indexer/sync/syncer";
import type { ReleaseLog } from "../../kms/log";
import { keyReleaseBytes, openLogFile, serveReleaseLog, signAndAnchor, signHead, type LogServer } from "../audit/helpers/releaseLogFixture";
import {
  approveRelease,
  devAccount,
  label,
  registerApp,
  registerKmsIdentity,
  setAllowedTcbStatuses,
  setKmsMeasurementAllowed,
  setPlatformAllowed,
  startTestChain,
  type TestChain,
} from "../audit/helpers/testChain";

/**
 * The release-log mirror against a real store served over HTTP: it stores only what verifies,
 * follows an honest log as it grows, and raises an alarm (kept in the database) for every gap,
 * inconsistency, fork, rollback and bad signature, never storing past it.
 */
const COMPOSE = label("mirror-compose");
const PLATFORM = label("mirror-platform");

describe("release-log mirror", () => {
  let chain: TestChain;
  let appId: Hex;
  let counter = 0;

  interface Rig {
    db: IndexerDb;
    store: MirrorStore;
    mirror: LogMirror;
    server: LogServer;
    log: ReleaseLog;
    kms: LocalAccount;
    sync(): Promise<void>;
    close(): Promise<void>;
  }

  const leaves = (kms: LocalAccount, count: number, batch: number) =>
    Array.from({ length: count }, (_, index) =>
      keyReleaseBytes(chain, { kms, appId, composeHash: COMPOSE, platformHash: PLATFORM, policyBlock: policyBlockOf.current!, instanceId: (batch * 256 + index).toString(16).padStart(4, "0") }),
    );
  const policyBlockOf: { current?: { number: number; hash: Hex } } = {};

  async function rig(kmsIndex: number, initial: Uint8Array[] | ((kms: LocalAccount) => Uint8Array[]), anchor = true): Promise<Rig> {
    const kms = devAccount(kmsIndex);
    await registerKmsIdentity(chain, kms.address.toLowerCase() as Hex, label(`mirror-quote-${kmsIndex}`), label("mirror-kms"));
    const block = await chain.client.getBlock();
    policyBlockOf.current = { number: Number(block.number), hash: block.hash };
    const log = openLogFile(chain.dir, `mirror-${kmsIndex}-${counter++}`);
    for (const bytes of typeof initial === "function" ? initial(kms) : initial) log.append(bytes);
    if (anchor) await signAndAnchor(chain, log, kms);
    else await signHead(chain, log, kms);
    const server = await serveReleaseLog(log);
    const db = openIndexerDb(path.join(chain.dir, `mirror-${kmsIndex}.sqlite`), chain.deployment);
    const client = await connectChain(chain.url, chain.deployment);
    const chainQueries = createChainQueries(db);
    const store = createMirrorStore(db);
    const syncer = createSyncer({ client, writer: createIndexWriter(db), deployment: chain.deployment, confirmations: 0 });
    const mirror = createLogMirror({
      client: createKmsLogClient({ baseUrl: server.url }),
      store,
      chain: chainQueries,
      policy: createPolicyStateCache(chainQueries, chain.deployment),
      deployment: chain.deployment,
      header: (blockNumber) => getBlockHeader(client, blockNumber),
      pageSize: 3,
    });
    const sync = async () => syncer.syncTo(Number(await chain.client.getBlockNumber()));
    await sync();
    return { db, store, mirror, server, log, kms, sync, close: async () => {
        await server.close();
        log.close();
        db.close();
      },
    };
  }

  const alarmCodes = (store: MirrorStore) => store.alarms().map((alarm) => alarm.code);

  beforeAll(async () => {
    chain = await startTestChain();
    appId = await registerApp(chain, [devAccount(1)], 1, 0);
    await setPlatformAllowed(chain, PLATFORM, true);
    await setAllowedTcbStatuses(chain, 0b1);
    await setKmsMeasurementAllowed(chain, label("mirror-kms"), true);
    await approveRelease(chain, appId, COMPOSE, [devAccount(1)]);
    const block = await chain.client.getBlock();
    policyBlockOf.current = { number: Number(block.number), hash: block.hash };
  }, 120_000);
  afterAll(async () => chain?.stop());

  it("follows an honest log as it grows: verified entries, consistent heads, anchors checked, decisions judged", async () => {
    const r = await rig(20, (kms) => leaves(kms, 5, 0));
    expect((await r.mirror.tick()).mirroredSize).toBe(5);
    for (const bytes of leaves(r.kms, 4, 1)) r.log.append(bytes);
    await signAndAnchor(chain, r.log, r.kms);
    await r.sync();
    const status = await r.mirror.tick();
    expect(status).toMatchObject({ reachable: true, mirroredSize: 9, head: { treeSize: 9 } });
    expect(r.store.alarms()).toEqual([]);
    expect(r.store.verdictCounts()).toEqual({ judged: 9, violations: 0 });
    expect(r.db.prepare("SELECT COUNT(*) FROM anchor_checks WHERE matches = 1").pluck().get()).toBe(2);
    await r.close();
  });

  it("raises LOG_ANCHOR_ROOT_MISMATCH and LOG_HEAD_ROOT_MISMATCH for a fork, and stores nothing of it", async () => {
    const r = await rig(21, (kms) => leaves(kms, 4, 0), false);
    await r.mirror.tick();
    expect(r.mirror.status().mirroredSize).toBe(4);
    // The KMS rewrites its first 4 leaves, anchors that fork at size 4, and grows it to 6.
    const forked = openLogFile(chain.dir, "mirror-21-fork");
    const rewritten = leaves(r.kms, 6, 2);
    for (const bytes of rewritten.slice(0, 4)) forked.append(bytes);
    await signAndAnchor(chain, forked, r.kms);
    for (const bytes of rewritten.slice(4)) forked.append(bytes);
    await signHead(chain, forked, r.kms);
    await r.sync();
    r.server.use(forked);
    const status = await r.mirror.tick();
    expect(status.mirroredSize).toBe(4);
    expect(alarmCodes(r.store).sort()).toEqual(["LOG_ANCHOR_ROOT_MISMATCH", "LOG_HEAD_ROOT_MISMATCH"]);
    expect(r.db.prepare("SELECT tree_size, matches FROM anchor_checks").all()).toEqual([{ tree_size: 4, matches: 0 }]);
    // Alarms are kept: another tick raises nothing new and drops nothing.
    await r.mirror.tick();
    expect(r.store.alarms()).toHaveLength(2);
    forked.close();
    await r.close();
  });

  it("raises LOG_ENTRY_MISSING when the log does not serve an entry its head covers", async () => {
    const r = await rig(22, (kms) => leaves(kms, 3, 0), false);
    const shorter = openLogFile(chain.dir, "mirror-22-short");
    for (const bytes of leaves(r.kms, 2, 0)) shorter.append(bytes);
    r.server.use(shorter);
    r.server.overrideCheckpoint({ ...r.log.latestCheckpoint()! });
    await r.mirror.tick();
    expect(alarmCodes(r.store)).toEqual(["LOG_ENTRY_MISSING"]);
    expect(r.store.alarms()[0]!.evidence).toMatchObject({ leafIndex: 2, treeSize: 3 });
    expect(r.mirror.status().mirroredSize).toBe(0);
    shorter.close();
    await r.close();
  });

  it("raises LOG_HEAD_SIGNATURE_INVALID for a head its KMS did not sign, and LOG_HEAD_ROLLED_BACK for a smaller head", async () => {
    const r = await rig(23, (kms) => leaves(kms, 3, 0), false);
    await r.mirror.tick();
    const signed = r.log.latestCheckpoint()!;
    r.server.overrideCheckpoint({ ...signed, kms: devAccount(24).address });
    await r.mirror.tick();
    const smaller = openLogFile(chain.dir, "mirror-23-smaller");
    smaller.append(leaves(r.kms, 1, 0)[0]!);
    await signHead(chain, smaller, r.kms);
    r.server.overrideCheckpoint(undefined);
    r.server.use(smaller);
    await r.mirror.tick();
    expect(alarmCodes(r.store)).toEqual(["LOG_HEAD_SIGNATURE_INVALID", "LOG_HEAD_ROLLED_BACK"]);
    expect(r.mirror.status().mirroredSize).toBe(3);
    smaller.close();
    await r.close();
  });

  it("reports an unreachable log in its status without raising an alarm", async () => {
    const r = await rig(25, (kms) => leaves(kms, 1, 0));
    await r.server.close();
    const status = await r.mirror.tick();
    expect(status.reachable).toBe(false);
    expect(status.lastError).toMatch(/cannot reach/);
    expect(r.store.alarms()).toEqual([]);
    r.log.close();
    r.db.close();
  });
});

import path from "node:path";
import pino from "pino";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, connectChain, createKmsLogClient } from "../../core/audit";
import { fromHex } from "../../core/bytes";
import { verifyInclusion } from "../../core/merkle";
import { loadIndexerConfig } from "../../indexer/config";
import { createIndexer, type Indexer } from "../../indexer/indexer";
import type { ReleaseLog } from "../../kms/log";
import { keyReleaseBytes, openLogFile, serveReleaseLog, signAndAnchor, type LogServer } from "../audit/helpers/releaseLogFixture";
import {
  approveRelease,
  devAccount,
  increaseTime,
  label,
  registerApp,
  registerKmsIdentity,
  revokeRelease,
  setAllowedTcbStatuses,
  setKmsMeasurementAllowed,
  setPlatformAllowed,
  startTestChain,
  type TestChain,
} from "../audit/helpers/testChain";

/**
 * The indexer's HTTP API over a real chain and a real mirrored release log: every route, its
 * refusals with their error codes, the mirror served under the KMS's paths (and audited by
 * `audit log` as if it were the KMS), and the audit status turning red on KMS misbehaviour.
 */
const COMPOSE_A = label("api-compose-a");
const COMPOSE_B = label("api-compose-b");
const PLATFORM = label("api-platform");

describe("indexer API", () => {
  let chain: TestChain;
  let appId: Hex;
  let indexer: Indexer;
  let kmsLog: ReleaseLog;
  let server: LogServer;
  let approvedBlock: number;
  let revokedBlock: number;
  const kms = devAccount(16);

  async function startIndexer(name: string, kmsUrl: string): Promise<Indexer> {
    const config = loadIndexerConfig({}, { rpc: chain.url, deployment: chain.deploymentFile, db: path.join(chain.dir, `${name}.sqlite`), port: "0", confirmations: "0", kms: kmsUrl });
    const created = await createIndexer(config, { logger: pino({ level: "silent" }) });
    await created.syncer.syncTo(Number(await chain.client.getBlockNumber()));
    await created.mirror!.tick();
    return created;
  }

  const get = async (url: string) => {
    const response = await indexer.app.inject({ method: "GET", url });
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };

  beforeAll(async () => {
    chain = await startTestChain();
    const maintainer = devAccount(1);
    appId = await registerApp(chain, [maintainer], 1, 60);
    await setPlatformAllowed(chain, PLATFORM, true);
    await setAllowedTcbStatuses(chain, 0b1);
    await setKmsMeasurementAllowed(chain, label("api-kms"), true);
    await registerKmsIdentity(chain, kms.address.toLowerCase() as Hex, label("api-quote"), label("api-kms"));
    await approveRelease(chain, appId, COMPOSE_A, [maintainer]);
    approvedBlock = Number(await chain.client.getBlockNumber());
    await approveRelease(chain, appId, COMPOSE_B, [maintainer]);
    await increaseTime(chain, 120);
    const activeBlock = await chain.client.getBlock();
    await revokeRelease(chain, appId, COMPOSE_B, maintainer);
    revokedBlock = Number(await chain.client.getBlockNumber());
    const policyBlock = { number: Number(activeBlock.number), hash: activeBlock.hash };
    kmsLog = openLogFile(chain.dir, "api-kms");
    for (const [index, composeHash] of [COMPOSE_A, COMPOSE_B, COMPOSE_A, COMPOSE_A].entries()) {
      kmsLog.append(keyReleaseBytes(chain, { kms, appId, composeHash, platformHash: PLATFORM, policyBlock, instanceId: index < 2 ? "aa" : "bb", time: Number(activeBlock.timestamp) + index }));
    }
    await signAndAnchor(chain, kmsLog, kms);
    server = await serveReleaseLog(kmsLog);
    indexer = await startIndexer("api", server.url);
  }, 120_000);

  afterAll(async () => {
    await indexer?.stop();
    await server?.close();
    kmsLog?.close();
    await chain?.stop();
  });

  it("lists apps and shows one app's signers and releases with approval, activation and revocation", async () => {
    const list = await get("/v1/apps");
    expect(list.status).toBe(200);
    expect(list.body.apps.map((app: { appId: string }) => app.appId)).toEqual([appId]);
    const detail = await get(`/v1/apps/${appId}`);
    expect(detail.body.configs).toHaveLength(1);
    expect(detail.body.configs[0].signers).toEqual([devAccount(1).address.toLowerCase()]);
    const [a, b] = detail.body.releases;
    expect(a.composeHash).toBe(COMPOSE_A);
    expect(a.approvals[0].approved.blockNumber).toBe(approvedBlock);
    expect(a.approvals[0].activatesAt).toBe(a.approvals[0].approved.time + 60);
    expect(b.approvals[0].revocation.blockNumber).toBe(revokedBlock);
    expect(detail.body.keyReleases).toBe(4);
  });

  it("answers the policy at a block and at a time", async () => {
    const atApproval = await get(`/v1/apps/${appId}/policy?block=${approvedBlock}`);
    expect(atApproval.body.allowedComposeHashes).toEqual([]); // the notice period has not passed
    const beforeRevocation = await get(`/v1/apps/${appId}/policy?block=${revokedBlock - 1}`);
    expect(beforeRevocation.body.allowedComposeHashes).toEqual([COMPOSE_A, COMPOSE_B].sort());
    const now = await get(`/v1/apps/${appId}/policy`);
    expect(now.body.allowedComposeHashes).toEqual([COMPOSE_A]);
    const byTime = await get(`/v1/apps/${appId}/policy?time=${beforeRevocation.body.time}`);
    expect(byTime.body.allowedComposeHashes).toEqual(beforeRevocation.body.allowedComposeHashes);
  });

  it("refuses bad policy queries with their error codes", async () => {
    expect(await get(`/v1/apps/0x${"00".repeat(20)}/policy`)).toMatchObject({ status: 404, body: { errorCode: "INDEXER_NOT_FOUND" } });
    expect(await get(`/v1/apps/${appId}/policy?block=999999`)).toMatchObject({ status: 409, body: { errorCode: "INDEXER_NOT_SYNCED" } });
    expect(await get(`/v1/apps/${appId}/policy?block=1&time=1`)).toMatchObject({ status: 400, body: { errorCode: "INDEXER_QUERY_INVALID" } });
    expect(await get(`/v1/apps/${appId}/policy?block=abc`)).toMatchObject({ status: 400, body: { errorCode: "INDEXER_QUERY_INVALID" } });
    expect(await get(`/v1/apps/not-an-app`)).toMatchObject({ status: 400, body: { errorCode: "INDEXER_QUERY_INVALID" } });
  });

  it("reports a period: compose hashes allowed, which got keys, how many releases and instances", async () => {
    const report = await get(`/v1/apps/${appId}/report?from=2000-01-01&to=2100-12-31`);
    expect(report.status).toBe(200);
    const byHash = Object.fromEntries(report.body.composeHashes.map((entry: { composeHash: string }) => [entry.composeHash, entry]));
    expect(byHash[COMPOSE_A]).toMatchObject({ allowedInPeriod: true, keyReleases: 3, distinctInstances: 2 });
    expect(byHash[COMPOSE_B]).toMatchObject({ allowedInPeriod: true, keyReleases: 1, distinctInstances: 1 });
    expect(report.body.totals).toEqual({ composeHashesAllowed: 2, composeHashesWithKeys: 2, keyReleases: 4, distinctInstances: 2 });
    // Up to the revocation's block: the key releases logged after its time are outside.
    const early = await get(`/v1/apps/${appId}/report?from=${approvedBlock}&to=${revokedBlock}`);
    expect(early.body.period).toEqual({ from: expect.any(Number), to: expect.any(Number) });
    expect(early.body.totals.keyReleases).toBe(2);
    expect(await get(`/v1/apps/${appId}/report?from=yesterday&to=1`)).toMatchObject({ status: 400, body: { errorCode: "AUDIT_PERIOD_INVALID" } });
  });

  it("judges each reported key release at its policy block's time, not at the leaf's clock", async () => {
    // A KMS whose clock lags the chain (here: the chain jumped 120 s): the leaf's time is before
    // COMPOSE_A's activation, its policy block after. The release was allowed; the report must say so
    // even when the policy block's header is not among the synced ones (it is fetched, then stored).
    const lagger = devAccount(18);
    await registerKmsIdentity(chain, lagger.address.toLowerCase() as Hex, label("lagging-quote"), label("api-kms"));
    const approval = await chain.client.getBlock({ blockNumber: BigInt(approvedBlock) });
    const laggingLog = openLogFile(chain.dir, "api-kms-lagging");
    const activeBlock = await chain.client.getBlock({ blockNumber: BigInt(revokedBlock - 1) });
    const policyBlock = { number: Number(activeBlock.number), hash: activeBlock.hash };
    laggingLog.append(keyReleaseBytes(chain, { kms: lagger, appId, composeHash: COMPOSE_A, platformHash: PLATFORM, policyBlock, instanceId: "cc", time: Number(approval.timestamp) }));
    await signAndAnchor(chain, laggingLog, lagger);
    const laggingServer = await serveReleaseLog(laggingLog);
    const lagging = await startIndexer("api-lagging", laggingServer.url);
    try {
      const response = await lagging.app.inject({ method: "GET", url: `/v1/apps/${appId}/report?from=2000-01-01&to=2100-12-31` });
      expect(response.statusCode).toBe(200);
      const report = response.json() as Record<string, any>;
      expect(report.totals.keyReleases).toBe(1);
      expect(report.keyReleasesNotAllowed).toEqual([]);
    } finally {
      await lagging.stop();
      await laggingServer.close();
      laggingLog.close();
    }
  });

  it("serves a timeline with releases, revocations, key releases and checkpoints", async () => {
    const timeline = await get(`/v1/apps/${appId}/timeline`);
    const kinds = timeline.body.items.map((item: { kind: string }) => item.kind);
    for (const kind of ["registered", "approved", "activated", "revoked", "key-release", "checkpoint"]) expect(kinds).toContain(kind);
    const times = timeline.body.items.map((item: { time: number }) => item.time);
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });

  it("serves KMS identities, checkpoints and the platform policy", async () => {
    const kmsView = await get("/v1/kms");
    expect(kmsView.body.identities).toEqual([expect.objectContaining({ kms: kms.address.toLowerCase(), active: true, measurement: label("api-kms") })]);
    expect(kmsView.body.checkpoints).toEqual([expect.objectContaining({ treeSize: 4 })]);
    const platform = await get("/v1/platform");
    expect(platform.body).toMatchObject({ allowedPlatforms: [PLATFORM], allowedTcbStatuses: 1, allowedKmsMeasurements: [label("api-kms")] });
  });

  it("serves the verified log under the KMS's paths, each entry with an inclusion proof that verifies", async () => {
    const head = await get("/v1/log/checkpoint");
    expect(head.body).toMatchObject({ treeSize: 4, kms: kms.address.toLowerCase() });
    const entries = await get("/v1/log/entries?start=0&end=10");
    expect(entries.body.entries).toHaveLength(4);
    for (const entry of entries.body.entries) {
      verifyInclusion(fromHex(entry.leafHash), entry.index, 4, entry.inclusionProof.map(fromHex), fromHex(head.body.rootHash));
    }
    const audit = await auditLog(await connectChain(chain.url, chain.deployment), {
      deployment: chain.deployment,
      log: createKmsLogClient({ baseUrl: await indexer.app.listen({ host: "127.0.0.1", port: 0 }) }),
    });
    expect(audit.findings).toEqual([]);
    expect(audit.entriesChecked).toBe(4);
  });

  it("shows a green audit status, the metrics and the OpenAPI document", async () => {
    expect((await get("/v1/audit")).body).toMatchObject({ status: "green", reasons: [], log: { mirrored: true, treeSize: 4, leavesJudged: 4, unanchoredEntries: 0 } });
    const metrics = await indexer.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toMatch(/basekms_indexer_log_alarms 0/);
    expect(metrics.body).toMatch(/basekms_indexer_synced_block \d+/);
    const docs = await indexer.app.inject({ method: "GET", url: "/docs/json" });
    expect(Object.keys((docs.json() as { paths: object }).paths)).toEqual(expect.arrayContaining(["/v1/apps/{id}/policy", "/v1/log/entries", "/v1/audit"]));
    const page = await indexer.app.inject({ method: "GET", url: "/" });
    expect(page.headers["content-type"]).toContain("text/html");
  });

  it("turns red, with the reason, when a mirrored leaf was not allowed at its policy block", async () => {
    const rogue = devAccount(17);
    await registerKmsIdentity(chain, rogue.address.toLowerCase() as Hex, label("rogue-quote"), label("api-kms"));
    const block = await chain.client.getBlock();
    const log = openLogFile(chain.dir, "rogue-kms");
    log.append(keyReleaseBytes(chain, { kms: rogue, appId, composeHash: COMPOSE_B, platformHash: PLATFORM, policyBlock: { number: Number(block.number), hash: block.hash } }));
    await signAndAnchor(chain, log, rogue);
    const rogueServer = await serveReleaseLog(log);
    const watching = await startIndexer("rogue", rogueServer.url);
    try {
      const status = (await watching.app.inject({ method: "GET", url: "/v1/audit" })).json() as { status: string; reasons: Array<{ code: string; evidence: Record<string, unknown> }> };
      expect(status.status).toBe("red");
      expect(status.reasons.map((reason) => reason.code)).toEqual(["LEAF_COMPOSE_HASH_NOT_ALLOWED"]);
      expect(status.reasons[0]!.evidence).toMatchObject({ reason: "revoked", leafIndex: 0 });
      const metrics = await watching.app.inject({ method: "GET", url: "/metrics" });
      expect(metrics.body).toMatch(/basekms_indexer_leaf_violations 1/);
      expect(metrics.body).toMatch(/basekms_indexer_audit_red 1/);
    } finally {
      await watching.stop();
      await rogueServer.close();
      log.close();
    }
  });
});

import { buildPeriodReport, parsePeriodBound, type KeyReleaseRecord, type PeriodBound } from "../../../core/audit";
import type { Hex } from "../../../core/policy";
import { IndexerError } from "../../errors";
import { buildTimeline } from "../../timeline";
import type { IndexerAppDeps, IndexerFastify } from "../types";
import {
  AppDetailResponse,
  AppListResponse,
  AppParams,
  ErrorResponse,
  PolicyQuery,
  PolicyResponse,
  ReportQuery,
  ReportResponse,
  TimelineQuery,
  TimelineResponse,
} from "../schemas";

/** Apps, their history, their policy at a block or time, the period report and the timeline. */
export function registerAppRoutes(app: IndexerFastify, deps: IndexerAppDeps): void {
  const tags = ["apps"];
  const errors = { 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 503: ErrorResponse };

  const appIdOf = (raw: string): Hex => {
    const appId = raw.toLowerCase() as Hex;
    if (!deps.apps.appExists(appId)) throw new IndexerError("INDEXER_NOT_FOUND", `app ${appId} is not registered (synced to block ${deps.chain.syncState().syncedBlock})`);
    return appId;
  };

  /** A block's time, from the stored headers or (once, then stored) the RPC; only synced blocks. */
  const blockTime = async (block: number): Promise<number> => {
    const { syncedBlock } = deps.chain.syncState();
    if (block > syncedBlock) throw new IndexerError("INDEXER_NOT_SYNCED", `block ${block} is past the synced block ${syncedBlock}`);
    const stored = deps.chain.block(block);
    if (stored) return Number(stored.timestamp);
    const header = await deps.header(block);
    if (!header) throw new IndexerError("INDEXER_NOT_SYNCED", `the chain has no block ${block}`);
    deps.chain.rememberBlock(header);
    return Number(header.timestamp);
  };

  const syncedTime = (): number => {
    const { syncedBlock } = deps.chain.syncState();
    return Number(deps.chain.block(syncedBlock)?.timestamp ?? 0);
  };

  app.get("/v1/apps", { schema: { summary: "Every registered app, with its current configuration", tags, response: { 200: AppListResponse } } }, async () => ({
    syncedBlock: deps.chain.syncState().syncedBlock,
    apps: deps.apps.listApps(),
  }));

  app.get(
    "/v1/apps/:id",
    { schema: { summary: "An app: signers over time, and every release with its approval, activation and revocation", tags, params: AppParams, response: { 200: AppDetailResponse, ...errors } } },
    async (request) => {
      const appId = appIdOf(request.params.id);
      return { syncedBlock: deps.chain.syncState().syncedBlock, ...deps.apps.app(appId)!, keyReleases: deps.store.keyReleases(appId).length };
    },
  );

  app.get(
    "/v1/apps/:id/policy",
    {
      schema: {
        summary: "Compose hashes allowed at the end of a block (?block=) or at a unix time (?time=); the synced head without either",
        tags,
        params: AppParams,
        querystring: PolicyQuery,
        response: { 200: PolicyResponse, ...errors },
      },
    },
    async (request) => {
      const appId = appIdOf(request.params.id);
      const { block, time } = request.query;
      if (block !== undefined && time !== undefined) throw new IndexerError("INDEXER_QUERY_INVALID", "give block or time, not both");
      const { syncedBlock } = deps.chain.syncState();
      if (time !== undefined) {
        const at = Number(time);
        if (at > syncedTime()) throw new IndexerError("INDEXER_NOT_SYNCED", `time ${at} is past the synced block's time ${syncedTime()}`);
        return { appId, block: null, time: at, syncedBlock, allowedComposeHashes: deps.apps.allowedComposeHashes(appId, { block: null, time: at }) };
      }
      const at = block === undefined ? syncedBlock : Number(block);
      const atTime = await blockTime(at);
      return { appId, block: at, time: atTime, syncedBlock, allowedComposeHashes: deps.apps.allowedComposeHashes(appId, { block: at, time: atTime }) };
    },
  );

  app.get(
    "/v1/apps/:id/report",
    {
      schema: {
        summary: "Period report: compose hashes allowed in [from, to], which received keys, how many releases and distinct instances (from the verified log)",
        tags,
        params: AppParams,
        querystring: ReportQuery,
        response: { 200: ReportResponse, ...errors },
      },
    },
    async (request) => {
      const appId = appIdOf(request.params.id);
      const timeOf = async (bound: PeriodBound) => (bound.kind === "time" ? bound.time : blockTime(bound.block));
      const from = await timeOf(parsePeriodBound(request.query.from, "from"));
      const to = await timeOf(parsePeriodBound(request.query.to, "to"));
      if (to < from) throw new IndexerError("INDEXER_QUERY_INVALID", `the period ends (${to}) before it starts (${from})`);
      const head = deps.store.latestHead();
      const releases = deps.store.keyReleases(appId);
      // Each release is judged at its policy block's time: a stored header, or the RPC's (then
      // stored). Never the leaf's wall-clock time, which can be far from the block's.
      const policyBlockTimes = new Map<number, number>();
      for (const policyBlock of new Set(releases.map((release) => release.policyBlock))) {
        if (policyBlock <= deps.chain.syncState().syncedBlock) policyBlockTimes.set(policyBlock, await blockTime(policyBlock));
      }
      const records: KeyReleaseRecord[] = releases.map((release) => {
        const policyBlockTime = policyBlockTimes.get(release.policyBlock);
        return {
          leafIndex: release.index,
          kms: head?.kms ?? ("0x" as Hex),
          time: release.time,
          appId: release.appId,
          composeHash: release.composeHash,
          instanceId: release.instanceId,
          policyBlock: release.policyBlock,
          ...(policyBlockTime === undefined ? {} : { policyBlockTime: Number(policyBlockTime) }),
        };
      });
      const { state, syncedBlock } = deps.policy.current();
      const report = buildPeriodReport(state, appId, { from, to }, records);
      return { syncedBlock, keyReleaseSource: head ? { kms: head.kms, treeSize: head.treeSize } : null, ...report };
    },
  );

  app.get(
    "/v1/apps/:id/timeline",
    { schema: { summary: "The app's history for people: releases, revocations, key releases and checkpoints, oldest first", tags, params: AppParams, querystring: TimelineQuery, response: { 200: TimelineResponse, ...errors } } },
    async (request) => {
      const appId = appIdOf(request.params.id);
      const limit = Number(request.query.limit ?? 500);
      const violations = new Set(deps.store.violations().map((violation) => violation.index));
      const releases = deps.store.keyReleases(appId);
      const shown = releases.slice(Math.max(0, releases.length - limit));
      const head = deps.store.latestHead();
      const items = buildTimeline(
        deps.apps.app(appId)!,
        shown.map((release) => ({ ...release, violation: violations.has(release.index) })),
        head ? deps.chain.anchoredCheckpoints(head.kms) : deps.chain.anchoredCheckpoints(),
        syncedTime(),
      );
      return { appId, syncedBlock: deps.chain.syncState().syncedBlock, items, keyReleasesOmitted: releases.length - shown.length };
    },
  );
}

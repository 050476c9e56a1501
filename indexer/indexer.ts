/**
 * The indexer, wired from its config: the SQLite store, the chain sync, the release-log mirror
 * (with --kms), the HTTP app, and the loops that drive them. `server.ts` only listens and stops.
 */
import pino, { type Logger } from "pino";
import { connectChain, createKmsLogClient, getBlockHeader, type BlockHeader } from "../core/audit";
import { computeAuditStatus } from "./auditStatus";
import { buildIndexerApp } from "./api/app";
import type { IndexerFastify } from "./api/types";
import type { IndexerConfig } from "./config";
import { createAppQueries } from "./db/appQueries";
import { createChainQueries } from "./db/chainQueries";
import { openIndexerDb, type IndexerDb } from "./db/openIndexerDb";
import { createIndexWriter } from "./db/writer";
import { createIndexerMetrics } from "./metrics";
import { createLogMirror, type LogMirror } from "./mirror/logMirror";
import { createMirrorStore } from "./mirror/mirrorStore";
import { createPolicyStateCache } from "./policyStateCache";
import { createProgressSink } from "./sync/progress";
import { createSyncer, type SyncEvent, type Syncer } from "./sync/syncer";

export interface Indexer {
  readonly app: IndexerFastify;
  readonly db: IndexerDb;
  readonly syncer: Syncer;
  readonly mirror: LogMirror | undefined;
  /** Starts the sync and mirror loops. */
  start(): void;
  /** Stops the loops, closes the HTTP app and the database. */
  stop(): Promise<void>;
}

export interface IndexerDeps {
  readonly logger?: Logger;
  /** Progress bar on this stream when it is a TTY (default process.stderr). */
  readonly progressStream?: NodeJS.WriteStream;
}

/** Waits `ms`, or less if `signal` aborts; the abort listener is removed either way (the loop calls this forever). */
export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => (clearTimeout(timer), resolve());
    const timer = setTimeout(() => (signal.removeEventListener("abort", onAbort), resolve()), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

export async function createIndexer(config: IndexerConfig, deps: IndexerDeps = {}): Promise<Indexer> {
  const logger = deps.logger ?? pino({ level: config.logLevel, base: { service: "basekms-indexer" } });
  const client = await connectChain(config.rpcUrl, config.deployment);
  const db = openIndexerDb(config.dbFile, config.deployment);
  const chain = createChainQueries(db);
  const store = createMirrorStore(db);
  const policy = createPolicyStateCache(chain, config.deployment);
  const header = async (blockNumber: number): Promise<BlockHeader | null> => chain.block(blockNumber) ?? getBlockHeader(client, blockNumber);
  const mirror = config.kmsUrl
    ? createLogMirror({ client: createKmsLogClient({ baseUrl: config.kmsUrl }), store, chain, policy, deployment: config.deployment, header })
    : undefined;
  let chainHead: number | null = null;
  const auditStatus = () => computeAuditStatus({ chain, store, ...(mirror ? { mirror } : {}), chainHead });

  const metrics = createIndexerMetrics({
    syncedBlock: () => chain.syncState().syncedBlock,
    chainHead: () => chainHead ?? undefined,
    mirroredEntries: () => mirror?.status().mirroredSize,
    unanchoredEntries: () => auditStatus().log.unanchoredEntries ?? undefined,
    logAlarms: () => store.alarms().length,
    leafViolations: () => store.verdictCounts().violations,
    auditRed: () => auditStatus().status === "red",
  });
  const progress = createProgressSink({
    logger,
    tty: config.progress !== "off" && Boolean((deps.progressStream ?? process.stderr).isTTY),
    ...(deps.progressStream ? { stream: deps.progressStream } : {}),
  });
  const onEvent = (event: SyncEvent) => {
    if (event.type === "batch") {
      metrics.batches.inc();
      metrics.eventsSynced.inc(event.events);
      chainHead = Math.max(chainHead ?? 0, event.target + config.confirmations);
    } else if (event.type === "reorg") metrics.reorgs.inc();
    else chainHead = event.latest;
    progress.onSyncEvent(event);
  };
  const syncer = createSyncer({ client, writer: createIndexWriter(db), deployment: config.deployment, confirmations: config.confirmations, rangePolicy: config.rangePolicy, onEvent });
  const app = await buildIndexerApp({
    logger,
    deployment: config.deployment,
    apps: createAppQueries(db),
    chain,
    store,
    ...(mirror ? { mirror } : {}),
    policy,
    header: (blockNumber) => getBlockHeader(client, blockNumber),
    auditStatus,
    status: () => ({ syncedBlock: chain.syncState().syncedBlock, chainHead, confirmations: config.confirmations, events: chain.eventCount(), mirror: mirror?.status() ?? null }),
    metrics,
  });

  const controller = new AbortController();
  const loops: Promise<void>[] = [];
  const loop = (name: string, step: () => Promise<boolean>, intervalMs: number, onError: () => void) => async () => {
    let failures = 0;
    while (!controller.signal.aborted) {
      let busy = false;
      try {
        busy = await step();
        failures = 0;
      } catch (error) {
        failures += 1;
        onError();
        logger.error({ err: error, failures }, `${name} failed; retrying`);
      }
      if (!busy) await sleep(failures > 0 ? Math.min(30_000, intervalMs * 2 ** failures) : intervalMs, controller.signal);
    }
  };

  return {
    app,
    db,
    syncer,
    mirror,
    start() {
      loops.push(loop("sync", async () => (await syncer.tick()).type !== "idle", config.pollIntervalMs, () => metrics.syncErrors.inc())());
      if (mirror) {
        loops.push(
          loop("mirror", async () => {
            const status = await mirror.tick();
            if (!status.reachable) metrics.mirrorErrors.inc();
            return false;
          }, config.mirrorIntervalMs, () => metrics.mirrorErrors.inc())(),
        );
      }
    },
    async stop() {
      controller.abort();
      await Promise.all(loops);
      await app.close();
      db.close();
    },
  };
}

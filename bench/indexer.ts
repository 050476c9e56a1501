/**
 * `npm run bench:indexer`: the indexer and the audit on a history of at least 100,000 policy
 * events, on a local Hardhat node (loopback).
 * 1. Generate the history (bench/indexerBench/generateEvents.ts).
 * 2. Sync it into a fresh SQLite file: events per second (target >= 10,000).
 * 3. `GET /v1/apps/:id/policy?block=` over HTTP, one keep-alive client: p50 and p99 (target p99 <= 2 ms).
 * 4. `audit replay` from the chain alone: fetch + decode, replay, view comparison (target: replay of
 *    100,000 events <= 5 s).
 * Options (environment): BENCH_APPS (1000), BENCH_APPROVALS_PER_APP (100), BENCH_REVOKE_EVERY (20),
 * BENCH_PLATFORM_TOGGLES (4000), BENCH_QUERIES (20000).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { auditReplay, connectChain } from "../core/audit";
import { writeDeployment } from "../core/chain/deployment";
import { freeLoopbackPort, startHardhatNode } from "../core/chain/hardhatNode";
import { loadIndexerConfig } from "../indexer/config";
import { createChainQueries } from "../indexer/db/chainQueries";
import { openIndexerDb } from "../indexer/db/openIndexerDb";
import { createIndexWriter } from "../indexer/db/writer";
import { createIndexer } from "../indexer/indexer";
import { createSyncer } from "../indexer/sync/syncer";
import { generateEvents } from "./indexerBench/generateEvents";
import { measureLatency } from "./indexerBench/latency";

const setting = (name: string, fallback: number) => {
  const raw = process.env[name];
  return raw === undefined || raw === "" ? fallback : Number(raw);
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const apps = setting("BENCH_APPS", 1000);
  const approvalsPerApp = setting("BENCH_APPROVALS_PER_APP", 100);
  const revokeEvery = setting("BENCH_REVOKE_EVERY", 20);
  const platformToggles = setting("BENCH_PLATFORM_TOGGLES", 4000);
  const queries = setting("BENCH_QUERIES", 20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-bench-indexer-"));
  const node = await startHardhatNode({ port: await freeLoopbackPort() });
  try {
    log(`bench:indexer — Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "?"}), Hardhat node ${node.url}`);
    let started = performance.now();
    const history = await generateEvents({
      rpcUrl: node.url,
      apps,
      approvalsPerApp,
      revokeEvery,
      platformToggles,
      onProgress: (done, total) => process.stderr.isTTY && process.stderr.write(`\rgenerating: ${done}/${total} transactions`),
    });
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
    const generated = performance.now() - started;
    const deploymentFile = writeDeployment(dir, history.deployment);
    const client = await connectChain(node.url, history.deployment);
    const head = Number(await client.getBlockNumber());
    log(`history: ${history.expectedEvents} events in ${head} blocks (${apps} apps × ${approvalsPerApp} approvals, revoke 1/${revokeEvery}, ${platformToggles} platform changes), generated in ${seconds(generated)}`);

    // 2. Sync.
    const dbFile = path.join(dir, "indexer.sqlite");
    const db = openIndexerDb(dbFile, history.deployment);
    let batches = 0;
    const syncer = createSyncer({ client, writer: createIndexWriter(db), deployment: history.deployment, confirmations: 0, onEvent: (event) => void (event.type === "batch" && batches++) });
    started = performance.now();
    await syncer.syncTo(head);
    const syncMs = performance.now() - started;
    const synced = createChainQueries(db).eventCount();
    db.close();
    if (synced !== history.expectedEvents) throw new Error(`synced ${synced} events, expected ${history.expectedEvents}`);
    const eventsPerSecond = synced / (syncMs / 1000);
    log(`sync: ${synced} events in ${seconds(syncMs)} (${batches} batches) = ${Math.round(eventsPerSecond)} events/s`);

    // 3. Policy queries over HTTP.
    const config = loadIndexerConfig({}, { rpc: node.url, deployment: deploymentFile, db: dbFile, port: "0", confirmations: "0" });
    const indexer = await createIndexer(config, { logger: pino({ level: "silent" }) });
    const url = await indexer.app.listen({ host: "127.0.0.1", port: 0 });
    const blocks = (indexer.db.prepare("SELECT number FROM blocks").pluck().all() as number[]).filter((number) => number >= history.deployment.contracts.AppRegistry.blockNumber);
    const paths = Array.from({ length: queries }, (_, index) => {
      const appId = history.appIds[(index * 7919) % history.appIds.length]!;
      return `/v1/apps/${appId}/policy?block=${blocks[(index * 104_729) % blocks.length]!}`;
    });
    const latency = await measureLatency(url, paths, 2_000);
    await indexer.stop();
    log(`policy?block=: ${latency.requests} requests, p50 ${latency.p50Ms.toFixed(3)} ms, p99 ${latency.p99Ms.toFixed(3)} ms, max ${latency.maxMs.toFixed(2)} ms, mean ${latency.meanMs.toFixed(3)} ms`);

    // 4. audit replay, trusting only the chain.
    started = performance.now();
    const audit = await auditReplay(client, { deployment: history.deployment });
    const auditMs = performance.now() - started;
    if (audit.differences.length > 0) throw new Error(`audit replay found ${audit.differences.length} differences, by function: ${JSON.stringify(Object.entries(audit.differences.reduce((m: Record<string, number>, d) => ((m[String(d.evidence.functionName)] = (m[String(d.evidence.functionName)] ?? 0) + 1), m), {})))} checks ${audit.checks}`);
    const { fetch, replay, views } = audit.timings;
    log(`audit replay: ${audit.events.length} events; fetch + decode ${seconds(fetch)}, replay ${seconds(replay)}, ${audit.checks} view checks ${seconds(views)}; total ${seconds(auditMs)}, 0 differences`);

    const per100k = (ms: number) => (ms * 100_000) / audit.events.length;
    log("");
    log("target                                        measured               result");
    log(`sync >= 10,000 events/s                       ${String(Math.round(eventsPerSecond)).padEnd(22)} ${verdict(eventsPerSecond >= 10_000)}`);
    log(`policy?block= p99 <= 2 ms                     ${`${latency.p99Ms.toFixed(3)} ms`.padEnd(22)} ${verdict(latency.p99Ms <= 2)}`);
    log(`audit replay of 100k events <= 5 s            ${`${seconds(per100k(replay))} / 100k`.padEnd(22)} ${verdict(per100k(replay) <= 5_000)}`);
    log(`  with reading them from the node first       ${`${seconds(per100k(fetch + replay))} / 100k`.padEnd(22)} ${verdict(per100k(fetch + replay) <= 5_000)} (fetch + decode + replay)`);
    log(`  view comparison (no target)                 ${seconds(views)} for ${audit.checks} eth_call checks`);
    return 0;
  } finally {
    await node.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:indexer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

import type { Command } from "commander";
import { loadIndexerConfig, type IndexerFlags } from "../../indexer/config";
import { serveIndexer } from "../../indexer/server";

/**
 * `basekms indexer serve`: sync the policy contracts' events into SQLite, mirror a KMS's release
 * log (with --kms), and serve the audit API and web page until SIGINT or SIGTERM. docs/indexer.md.
 */
export function registerIndexerCommands(program: Command): void {
  const indexer = program.command("indexer").description("Index the policy contracts and a KMS release log, and serve the audit API and web page");
  indexer
    .command("serve")
    .description("Sync, mirror and serve until interrupted (flags override the BASEKMS_* environment)")
    .option("--rpc <url>", "JSON-RPC URL (default: $BASEKMS_RPC_URL)")
    .option("--deployment <file>", "deployment file (default: $BASEKMS_DEPLOYMENT)")
    .option("--db <file>", "SQLite file (default: $BASEKMS_INDEXER_DB or ./basekms-indexer-<chainId>.sqlite)")
    .option("--host <host>", "listen address (default: $BASEKMS_INDEXER_HOST or 127.0.0.1)")
    .option("--port <port>", "listen port (default: $BASEKMS_INDEXER_PORT or 8547; 0 picks one)")
    .option("--confirmations <n>", "sync up to latest − n (default: $BASEKMS_CONFIRMATIONS or 2)")
    .option("--kms <url>", "mirror and verify this KMS's release log (default: $BASEKMS_KMS_URL; none without it)")
    .option("--poll-interval <ms>", "time between sync polls when caught up (default 1000)")
    .option("--max-block-range <n>", "largest eth_getLogs range (default 100000; the range adapts below it)")
    .option("--log-level <level>", "pino level (default: $BASEKMS_LOG_LEVEL or info)")
    .option("--no-progress", "no progress bar, even on a terminal")
    .action(async (flags: IndexerFlags) => {
      const config = loadIndexerConfig(process.env, flags);
      const server = await serveIndexer(config);
      process.stderr.write(`basekms indexer: serving ${server.url} (API /v1, docs /docs, page /), database ${config.dbFile}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await server.close();
    });
}

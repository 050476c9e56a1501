import type { IndexerConfig } from "./config";
import { createIndexer, type IndexerDeps } from "./indexer";

/** Starts the indexer and listens; resolves with a `close` that stops everything gracefully. */
export async function serveIndexer(config: IndexerConfig, deps: IndexerDeps = {}): Promise<{ url: string; close(): Promise<void> }> {
  const indexer = await createIndexer(config, deps);
  let url: string;
  try {
    url = await indexer.app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await indexer.stop();
    throw error;
  }
  indexer.start();
  return { url, close: () => indexer.stop() };
}

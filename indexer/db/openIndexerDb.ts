import Database from "better-sqlite3";
import { deploymentStartBlock, type Deployment } from "../../core/chain/deployment";
import { isBaseError } from "../../core/errors";
import { IndexerError } from "../errors";
import { migrate } from "./migrations";

export type IndexerDb = Database.Database;

/** The deployment a database indexes; a database never mixes two. */
function bindDeployment(db: IndexerDb, deployment: Deployment): void {
  const expected: Record<string, string> = {
    chain_id: String(deployment.chainId),
    app_registry: deployment.contracts.AppRegistry.address.toLowerCase(),
    platform_policy: deployment.contracts.PlatformPolicy.address.toLowerCase(),
    start_block: String(deploymentStartBlock(deployment)),
  };
  const rows = db.prepare("SELECT key, value FROM meta").all() as Array<{ key: string; value: string }>;
  const stored = new Map(rows.map((row) => [row.key, row.value]));
  for (const [key, value] of Object.entries(expected)) {
    const found = stored.get(key);
    if (found !== undefined && found !== value) {
      throw new IndexerError("INDEXER_DEPLOYMENT_MISMATCH", `the database indexes ${key} ${found}, the deployment file says ${value}`);
    }
  }
  db.transaction(() => {
    const insert = db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)");
    for (const [key, value] of Object.entries(expected)) insert.run(key, value);
    db.prepare("INSERT OR IGNORE INTO sync_state (id, synced_block, synced_hash) VALUES (1, ?, NULL)").run(deploymentStartBlock(deployment) - 1);
  })();
}

/**
 * Opens (creating if needed) the indexer's SQLite file: WAL, so the API reads while the sync
 * writes; `synchronous = NORMAL`, which in WAL mode never loses a committed batch's consistency
 * (a power cut may lose the last batches, which the sync fetches again); versioned migrations;
 * and the deployment it indexes, checked on every open.
 */
export function openIndexerDb(file: string, deployment: Deployment): IndexerDb {
  let db: IndexerDb;
  try {
    db = new Database(file, { timeout: 5_000 });
  } catch (cause) {
    throw new IndexerError("INDEXER_DB_FAILED", `cannot open the indexer database ${file}`, { cause });
  }
  try {
    if (db.pragma("journal_mode = WAL", { simple: true }) !== "wal") {
      throw new IndexerError("INDEXER_DB_FAILED", `the indexer database ${file} cannot run in WAL mode`);
    }
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = OFF");
    migrate(db);
    bindDeployment(db, deployment);
    return db;
  } catch (error) {
    db.close();
    if (isBaseError(error)) throw error;
    throw new IndexerError("INDEXER_DB_FAILED", `cannot prepare the indexer database ${file}`, { cause: error });
  }
}

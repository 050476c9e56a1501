import type Database from "better-sqlite3";
import { IndexerError } from "../errors";

/**
 * The indexer's versioned schema. Migrations only append: a released version's SQL never changes.
 *
 * Chain-derived tables are append-only histories, one row per event, each with its checkpoint
 * (db/checkpoint.ts): a reorg deletes rows above the common ancestor and re-syncs, and nothing is
 * ever updated in place. `events` keeps every raw log (topics, data), so the whole derived state
 * can be rebuilt and checked with the core/policy reducer. Mirror tables (log_*) hold the
 * release log as verified; the rows that depend on the chain carry a checkpoint too.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "sync state, blocks, raw events, derived policy history, release-log mirror",
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE sync_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        synced_block INTEGER NOT NULL,
        synced_hash TEXT
      ) STRICT;
      CREATE TABLE blocks (
        number INTEGER PRIMARY KEY, hash TEXT NOT NULL, parent_hash TEXT NOT NULL,
        timestamp INTEGER NOT NULL, checkpoint TEXT NOT NULL
      ) STRICT;
      CREATE INDEX blocks_by_timestamp ON blocks (timestamp);
      CREATE TABLE events (
        checkpoint TEXT PRIMARY KEY, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL,
        transaction_hash TEXT NOT NULL, address TEXT NOT NULL, kind TEXT NOT NULL,
        topics TEXT NOT NULL, data TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE apps (
        app_id TEXT PRIMARY KEY, creator TEXT NOT NULL,
        block_number INTEGER NOT NULL, block_time INTEGER NOT NULL, transaction_hash TEXT NOT NULL, checkpoint TEXT NOT NULL
      ) STRICT;
      CREATE INDEX apps_by_checkpoint ON apps (checkpoint);
      CREATE TABLE app_configs (
        app_id TEXT NOT NULL, config_version INTEGER NOT NULL, signers TEXT NOT NULL, threshold INTEGER NOT NULL,
        notice_period INTEGER NOT NULL, previous_notice_period INTEGER NOT NULL, previous_notice_until INTEGER NOT NULL,
        block_number INTEGER NOT NULL, block_time INTEGER NOT NULL, transaction_hash TEXT NOT NULL, checkpoint TEXT NOT NULL,
        PRIMARY KEY (app_id, config_version)
      ) STRICT;
      CREATE INDEX app_configs_by_checkpoint ON app_configs (checkpoint);
      CREATE TABLE app_freezes (
        app_id TEXT PRIMARY KEY, config_version INTEGER NOT NULL,
        block_number INTEGER NOT NULL, block_time INTEGER NOT NULL, transaction_hash TEXT NOT NULL, checkpoint TEXT NOT NULL
      ) STRICT;
      CREATE TABLE release_approvals (
        app_id TEXT NOT NULL, compose_hash TEXT NOT NULL, nonce INTEGER NOT NULL, metadata_digest TEXT NOT NULL,
        activates_at INTEGER NOT NULL, signers TEXT NOT NULL,
        block_number INTEGER NOT NULL, block_time INTEGER NOT NULL, transaction_hash TEXT NOT NULL, checkpoint TEXT NOT NULL,
        PRIMARY KEY (app_id, compose_hash, nonce)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX release_approvals_by_block ON release_approvals (app_id, block_number, activates_at);
      CREATE INDEX release_approvals_by_time ON release_approvals (app_id, block_time, activates_at);
      CREATE INDEX release_approvals_by_checkpoint ON release_approvals (checkpoint);
      CREATE TABLE release_revocations (
        app_id TEXT NOT NULL, compose_hash TEXT NOT NULL, nonce INTEGER NOT NULL, revoker TEXT NOT NULL, revoked_at INTEGER NOT NULL,
        block_number INTEGER NOT NULL, block_time INTEGER NOT NULL, transaction_hash TEXT NOT NULL, checkpoint TEXT NOT NULL,
        PRIMARY KEY (app_id, compose_hash, nonce)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX release_revocations_by_checkpoint ON release_revocations (checkpoint);
      CREATE TABLE platform_changes (
        checkpoint TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT, allowed INTEGER, value INTEGER,
        block_number INTEGER NOT NULL, block_time INTEGER NOT NULL, transaction_hash TEXT NOT NULL
      ) STRICT;
      CREATE INDEX platform_changes_by_subject ON platform_changes (kind, subject, checkpoint);
      CREATE TABLE kms_identity_changes (
        checkpoint TEXT PRIMARY KEY, kms TEXT NOT NULL, active INTEGER NOT NULL, quote_hash TEXT, measurement TEXT,
        block_number INTEGER NOT NULL, block_time INTEGER NOT NULL, transaction_hash TEXT NOT NULL
      ) STRICT;
      CREATE INDEX kms_identity_changes_by_kms ON kms_identity_changes (kms, checkpoint);
      CREATE TABLE log_checkpoints (
        checkpoint TEXT PRIMARY KEY, kms TEXT NOT NULL, tree_size INTEGER NOT NULL, root_hash TEXT NOT NULL,
        block_number INTEGER NOT NULL, block_time INTEGER NOT NULL, transaction_hash TEXT NOT NULL
      ) STRICT;
      CREATE INDEX log_checkpoints_by_kms ON log_checkpoints (kms, tree_size);
      CREATE TABLE checkpoint_conflicts (
        checkpoint TEXT PRIMARY KEY, kms TEXT NOT NULL, tree_size INTEGER NOT NULL, recorded_root TEXT NOT NULL,
        conflicting_root TEXT NOT NULL, signature TEXT NOT NULL,
        block_number INTEGER NOT NULL, block_time INTEGER NOT NULL, transaction_hash TEXT NOT NULL
      ) STRICT;
      CREATE TABLE log_entries (
        idx INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, body BLOB NOT NULL, kind TEXT, app_id TEXT, compose_hash TEXT,
        instance_id TEXT, time INTEGER, policy_block INTEGER, policy_block_hash TEXT
      ) STRICT;
      CREATE INDEX log_entries_by_app ON log_entries (app_id, time);
      CREATE TABLE log_heads (
        tree_size INTEGER PRIMARY KEY, root_hash BLOB NOT NULL, kms TEXT NOT NULL, signature TEXT NOT NULL, fetched_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE log_alarms (
        id INTEGER PRIMARY KEY, code TEXT NOT NULL, message TEXT NOT NULL, evidence TEXT NOT NULL, dedupe_key TEXT NOT NULL UNIQUE,
        raised_at INTEGER NOT NULL, checkpoint TEXT
      ) STRICT;
      CREATE TABLE anchor_checks (
        checkpoint TEXT PRIMARY KEY, tree_size INTEGER NOT NULL, matches INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE leaf_verdicts (
        idx INTEGER PRIMARY KEY, allowed INTEGER NOT NULL, findings TEXT NOT NULL, checkpoint TEXT NOT NULL
      ) STRICT;
      CREATE INDEX leaf_verdicts_by_checkpoint ON leaf_verdicts (checkpoint);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Brings the database to the latest schema, one transaction per migration. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT");
  const current = (db.prepare("SELECT version FROM schema_version").pluck().get() as number | undefined) ?? 0;
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new IndexerError("INDEXER_SCHEMA_UNSUPPORTED", `indexer database schema ${current} is newer than this basekms supports (${latest})`);
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare("DELETE FROM schema_version").run();
      db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(migration.version);
    })();
  }
  return latest;
}

/** Tables whose rows carry a checkpoint and are deleted above a reorg's common ancestor. */
export const CHAIN_TABLES = [
  "blocks",
  "events",
  "apps",
  "app_configs",
  "app_freezes",
  "release_approvals",
  "release_revocations",
  "platform_changes",
  "kms_identity_changes",
  "log_checkpoints",
  "checkpoint_conflicts",
  "anchor_checks",
  "leaf_verdicts",
  "log_alarms",
] as const;

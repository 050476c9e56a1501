import type Database from "better-sqlite3";
import { ReleaseLogError } from "../../core/releaseLog/errors";

/**
 * Versioned schema of the release-log database. Migrations only ever append: a released
 * version's SQL never changes, a new version adds a new entry. `schema_version` holds one
 * row; a database from a newer basekms (a higher version) is refused rather than guessed at.
 *
 * Storage scheme (see core/merkle/subtrees.ts): `leaves` holds every leaf body and its
 * RFC 6962 leaf hash (the level-0 nodes); `nodes` holds the hash of every complete subtree
 * at level >= 1, written in the transaction of the leaf that completes it. Both are
 * append-only; triggers refuse UPDATE and DELETE so that a bug cannot rewrite history (a
 * person with the file can still drop them, which `verifyOnOpen` then catches).
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "leaves, complete-subtree nodes and signed checkpoints",
    sql: `
      CREATE TABLE leaves (
        idx        INTEGER PRIMARY KEY CHECK (idx >= 0),
        leaf_hash  BLOB    NOT NULL CHECK (length(leaf_hash) = 32),
        body       BLOB    NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE nodes (
        level INTEGER NOT NULL CHECK (level >= 1),
        idx   INTEGER NOT NULL CHECK (idx >= 0),
        hash  BLOB    NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE checkpoints (
        tree_size      INTEGER PRIMARY KEY CHECK (tree_size >= 0),
        root_hash      BLOB    NOT NULL CHECK (length(root_hash) = 32),
        kms            BLOB    NOT NULL CHECK (length(kms) = 20),
        signature      BLOB    NOT NULL CHECK (length(signature) = 65),
        signed_at      INTEGER NOT NULL,
        anchored_tx    BLOB    CHECK (anchored_tx IS NULL OR length(anchored_tx) = 32),
        anchored_block INTEGER
      ) STRICT;
      CREATE TRIGGER leaves_no_update BEFORE UPDATE ON leaves BEGIN SELECT RAISE(ABORT, 'release log leaves are append-only'); END;
      CREATE TRIGGER leaves_no_delete BEFORE DELETE ON leaves BEGIN SELECT RAISE(ABORT, 'release log leaves are append-only'); END;
      CREATE TRIGGER nodes_no_update BEFORE UPDATE ON nodes BEGIN SELECT RAISE(ABORT, 'release log nodes are append-only'); END;
      CREATE TRIGGER nodes_no_delete BEFORE DELETE ON nodes BEGIN SELECT RAISE(ABORT, 'release log nodes are append-only'); END;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The schema version of an open database (0 for a new, empty one). */
export function schemaVersion(db: Database.Database): number {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT");
  const version = db.prepare("SELECT version FROM schema_version").pluck().get() as number | undefined;
  return version ?? 0;
}

/** Brings the database to the latest schema, one transaction per migration. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = schemaVersion(db);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new ReleaseLogError(
      "LOG_SCHEMA_UNSUPPORTED",
      `release log schema version ${current} is newer than this basekms supports (${latest})`,
    );
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

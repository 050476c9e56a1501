import Database from "better-sqlite3";

/**
 * The local record of refused requests (`refusals` table, in its own SQLite file, never in
 * the Merkle log: a refusal released nothing, so it is an operator's diagnostic, not audit
 * evidence). Rows hold public facts only: the code, the status, the message, and what the
 * request named. Old rows are pruned beyond `maxRows`.
 */
export interface Refusal {
  /** Unix ms. */
  at: number;
  endpoint: string;
  errorCode: string;
  status: number;
  message: string;
  remoteAddress?: string;
}

export interface RefusalStore {
  record(refusal: Refusal): void;
  recent(limit: number): Refusal[];
  count(): number;
  close(): void;
}

const PRUNE_EVERY = 1000;

export function openRefusalStore(file: string, options: { maxRows?: number } = {}): RefusalStore {
  const maxRows = options.maxRows ?? 100_000;
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // Refusals are diagnostics: losing the last few in a power cut is acceptable, a per-row fsync is not.
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE IF NOT EXISTS refusals (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    error_code TEXT NOT NULL,
    status INTEGER NOT NULL,
    message TEXT NOT NULL,
    remote_address TEXT
  ) STRICT`);
  const insert = db.prepare("INSERT INTO refusals (at, endpoint, error_code, status, message, remote_address) VALUES (?, ?, ?, ?, ?, ?)");
  const prune = db.prepare("DELETE FROM refusals WHERE id <= (SELECT MAX(id) FROM refusals) - ?");
  const recent = db.prepare<[number], { at: number; endpoint: string; error_code: string; status: number; message: string; remote_address: string | null }>(
    "SELECT at, endpoint, error_code, status, message, remote_address FROM refusals ORDER BY id DESC LIMIT ?",
  );
  const count = db.prepare("SELECT COUNT(*) FROM refusals").pluck();
  let inserted = 0;
  return {
    record: (refusal) => {
      insert.run(refusal.at, refusal.endpoint, refusal.errorCode, refusal.status, refusal.message.slice(0, 1000), refusal.remoteAddress ?? null);
      if (++inserted % PRUNE_EVERY === 0) prune.run(maxRows);
    },
    recent: (limit) =>
      recent.all(limit).map((row) => ({
        at: row.at,
        endpoint: row.endpoint,
        errorCode: row.error_code,
        status: row.status,
        message: row.message,
        ...(row.remote_address === null ? {} : { remoteAddress: row.remote_address }),
      })),
    count: () => count.get() as number,
    close: () => db.close(),
  };
}

/** The KMS's release log: an RFC 6962 tree in SQLite, durable before any key leaves. */
export { openReleaseLog } from "./openReleaseLog";
export { createGroupCommitter, type GroupCommitter, type GroupCommitterOptions } from "./groupCommit";
export { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from "./migrations";
export type {
  AppendResult,
  BatchAppendResult,
  LogEntry,
  OpenReleaseLogOptions,
  ReleaseLog,
  StoredCheckpoint,
} from "./types";

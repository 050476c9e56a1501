import { BaseError } from "../errors";

/**
 * Every way the release log can refuse a leaf, a checkpoint, a receipt or its own storage.
 * Codes are stable: the KMS maps them to HTTP statuses and refuses to start or to release
 * on the storage ones; the agent, the indexer and the auditor print them; tests assert them.
 */
export type ReleaseLogErrorCode =
  // leaves
  | "LEAF_MALFORMED" // not UTF-8 JSON, or too large
  | "LEAF_SCHEMA_INVALID" // JSON, but not a v1 leaf of a known kind
  | "LEAF_NOT_CANONICAL" // a valid leaf, but not in its one JCS encoding
  // checkpoints (a receipt's signature is its batch's checkpoint signature)
  | "CHECKPOINT_INVALID"
  | "CHECKPOINT_SIGNATURE_INVALID"
  // the KMS's SQLite store
  | "LOG_OPEN_FAILED"
  | "LOG_SCHEMA_UNSUPPORTED"
  | "LOG_CORRUPT"
  | "LOG_APPEND_FAILED"
  | "LOG_READ_FAILED"
  | "LOG_ENTRY_INVALID"
  | "LOG_RANGE_INVALID"
  | "CHECKPOINT_MISMATCH"
  | "CHECKPOINT_UNKNOWN";

export class ReleaseLogError extends BaseError<ReleaseLogErrorCode> {}

import { BaseError } from "../core/errors";

/**
 * Why the indexer refused a request or a start-up. HTTP maps each code to a status in one table
 * (api/httpErrors.ts).
 */
export type IndexerErrorCode =
  /** The database was built for another deployment (chain id or contract addresses). */
  | "INDEXER_DEPLOYMENT_MISMATCH"
  /** The database's schema is newer than this basekms. */
  | "INDEXER_SCHEMA_UNSUPPORTED"
  /** The database cannot be opened or written. */
  | "INDEXER_DB_FAILED"
  /** A query parameter is malformed or missing. */
  | "INDEXER_QUERY_INVALID"
  /** The app (or log entry) does not exist in the indexed history. */
  | "INDEXER_NOT_FOUND"
  /** The block or time asked for is past what the indexer has synced. */
  | "INDEXER_NOT_SYNCED"
  /** The chain's RPC did not answer. */
  | "INDEXER_RPC_UNAVAILABLE"
  /** No release log is mirrored (no --kms), or nothing verified yet. */
  | "INDEXER_LOG_UNAVAILABLE";

export class IndexerError extends BaseError<IndexerErrorCode> {}

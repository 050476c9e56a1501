import { isBaseError } from "../../core/errors";

/**
 * The one table from error code to HTTP status. Codes not listed are bugs: 500 INTERNAL_ERROR
 * (tests assert that no documented refusal reaches it).
 */
export const HTTP_STATUS_BY_CODE: ReadonlyMap<string, number> = new Map([
  ["INDEXER_QUERY_INVALID", 400],
  ["AUDIT_PERIOD_INVALID", 400],
  ["AUDIT_APP_UNKNOWN", 404],
  ["INDEXER_NOT_FOUND", 404],
  ["NOT_FOUND", 404],
  ["INDEXER_NOT_SYNCED", 409],
  ["INDEXER_LOG_UNAVAILABLE", 404],
  ["INDEXER_RPC_UNAVAILABLE", 503],
  ["AUDIT_RPC_UNAVAILABLE", 503],
  ["INDEXER_DB_FAILED", 503],
]);

export interface ErrorBody {
  errorCode: string;
  message: string;
}

export function httpErrorOf(error: unknown): { status: number; body: ErrorBody } {
  if ((error as { validation?: unknown } | null)?.validation) {
    return { status: 400, body: { errorCode: "INDEXER_QUERY_INVALID", message: `request does not match the schema: ${(error as Error).message}` } };
  }
  if (isBaseError(error)) {
    const status = HTTP_STATUS_BY_CODE.get(error.code);
    if (status !== undefined) return { status, body: { errorCode: error.code, message: error.message } };
  }
  return { status: 500, body: { errorCode: "INTERNAL_ERROR", message: "internal error" } };
}

import type { AttestationErrorCode } from "../core/attestation/errors";
import type { CryptoErrorCode } from "../core/crypto/errors";
import { isBaseError } from "../core/errors";
import type { ReleaseLogErrorCode } from "../core/releaseLog/errors";
import { KmsError, type KmsErrorCode } from "./errors";

/**
 * The one table from error code to HTTP status. Rules:
 * - 400: the request cannot be read (bad JSON, bad hex, a quote that does not parse);
 * - 403: a well-formed request that attestation or policy refuses;
 * - 404 / 413 / 415: as HTTP means them;
 * - 503: "try again later" — RPC, PCCS, log storage or a release worker is unavailable;
 *   nothing was released.
 * Any code not in the table is a bug and answers 500 INTERNAL_ERROR (tests assert no refusal
 * path reaches it).
 */
type KnownCode = KmsErrorCode | AttestationErrorCode | CryptoErrorCode | ReleaseLogErrorCode | "CONFIG_INVALID" | "USAGE";

const BAD_REQUEST: readonly KnownCode[] = [
  "REQUEST_MALFORMED",
  "QUOTE_TRUNCATED",
  "QUOTE_MALFORMED",
  "QUOTE_UNSUPPORTED_VERSION",
  "QUOTE_UNSUPPORTED_TEE_TYPE",
  "QUOTE_UNSUPPORTED_ATTESTATION_KEY_TYPE",
  "QUOTE_UNSUPPORTED_BODY_TYPE",
  "QUOTE_UNSUPPORTED_CERT_DATA_TYPE",
  "EVENT_LOG_MALFORMED",
  "KEY_INVALID",
  "INPUT_INVALID",
  "LOG_RANGE_INVALID",
];

const FORBIDDEN: readonly KnownCode[] = [
  "QUOTE_SIGNATURE_INVALID",
  "QE_REPORT_SIGNATURE_INVALID",
  "QE_REPORT_DATA_MISMATCH",
  "QE_VENDOR_ID_MISMATCH",
  "QE_IDENTITY_MISMATCH",
  "QE_TCB_REVOKED",
  "QE_TCB_LEVEL_NOT_FOUND",
  "CERT_MALFORMED",
  "CERT_CHAIN_INVALID",
  "CERT_SIGNATURE_INVALID",
  "CERT_UNTRUSTED_ROOT",
  "CERT_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "PCK_EXTENSION_MALFORMED",
  "CRL_MALFORMED",
  "CRL_SIGNATURE_INVALID",
  "CRL_ISSUER_MISMATCH",
  "CRL_EXPIRED",
  "CRL_NOT_YET_VALID",
  "COLLATERAL_MALFORMED",
  "COLLATERAL_EXPIRED",
  "COLLATERAL_NOT_YET_VALID",
  "TCB_INFO_SIGNATURE_INVALID",
  "TCB_INFO_UNSUPPORTED",
  "QE_IDENTITY_SIGNATURE_INVALID",
  "QE_IDENTITY_UNSUPPORTED",
  "FMSPC_MISMATCH",
  "PCE_ID_MISMATCH",
  "TCB_LEVEL_NOT_FOUND",
  "TCB_REVOKED",
  "TDX_MODULE_MISMATCH",
  "TDX_MODULE_IDENTITY_NOT_FOUND",
  "TD_DEBUG",
  "TD_MR_SIGNER_SEAM_NONZERO",
  "TD_SERVICE_TD_NONZERO",
  "TD_ATTRIBUTES_NOT_ALLOWED",
  "EVENT_LOG_MISMATCH",
  "EVENT_LOG_EVENT_MISSING",
  "EVENT_LOG_EVENT_DUPLICATED",
  "EVENT_LOG_DIGEST_MISMATCH",
  "REPORT_DATA_MISMATCH",
  "NONCE_UNKNOWN",
  "NONCE_EXPIRED",
  "NONCE_REUSED",
  "PLATFORM_NOT_ALLOWED",
  "TCB_STATUS_NOT_ALLOWED",
  "COMPOSE_HASH_NOT_ALLOWED",
  "KMS_MEASUREMENT_NOT_ALLOWED",
];

const UNAVAILABLE: readonly KnownCode[] = ["POLICY_UNAVAILABLE", "COLLATERAL_UNAVAILABLE", "LOG_APPEND_FAILED", "WORKER_UNAVAILABLE", "KMS_NOT_REGISTERED"];

export const HTTP_STATUS_BY_CODE: ReadonlyMap<string, number> = new Map<string, number>([
  ...BAD_REQUEST.map((code) => [code, 400] as const),
  ...FORBIDDEN.map((code) => [code, 403] as const),
  ["NOT_FOUND", 404],
  ["CHECKPOINT_UNAVAILABLE", 404],
  ["BODY_TOO_LARGE", 413],
  ["UNSUPPORTED_MEDIA_TYPE", 415],
  ...UNAVAILABLE.map((code) => [code, 503] as const),
]);

export interface ErrorBody {
  errorCode: string;
  message: string;
  reason?: string;
}

export interface HttpError {
  status: number;
  body: ErrorBody;
}

/** Fastify's own errors (body parsing, limits), by their `code`. */
const FASTIFY_CODES: Readonly<Record<string, KmsErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "BODY_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "REQUEST_MALFORMED",
  FST_ERR_CTP_EMPTY_JSON_BODY: "REQUEST_MALFORMED",
  FST_ERR_CTP_INVALID_JSON_BODY: "REQUEST_MALFORMED",
};

/**
 * The status and body for any thrown value. Messages of typed errors are public by design
 * (they name fields, never secret bytes); anything else is reported without its message.
 */
export function httpErrorOf(error: unknown): HttpError {
  const fastifyCode = fastifyErrorCode(error);
  if (fastifyCode) return known(fastifyCode, (error as Error).message);
  if ((error as { validation?: unknown } | null)?.validation) {
    return known("REQUEST_MALFORMED", `request does not match the schema: ${(error as Error).message}`);
  }
  if ((error as { code?: unknown } | null)?.code === "FST_ERR_NOT_FOUND") return known("NOT_FOUND", "no such route");
  if (isBaseError(error)) {
    const status = HTTP_STATUS_BY_CODE.get(error.code);
    if (status !== undefined) {
      const reason = error instanceof KmsError ? error.details?.reason : undefined;
      return { status, body: { errorCode: error.code, message: error.message, ...(reason === undefined ? {} : { reason: String(reason) }) } };
    }
  }
  return { status: 500, body: { errorCode: "INTERNAL_ERROR", message: "internal error; nothing was released" } };
}

function known(code: KmsErrorCode, message: string): HttpError {
  return { status: HTTP_STATUS_BY_CODE.get(code) ?? 500, body: { errorCode: code, message } };
}

function fastifyErrorCode(error: unknown): KmsErrorCode | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("FST_")) return undefined;
  if (code in FASTIFY_CODES) return FASTIFY_CODES[code];
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  return typeof statusCode === "number" && statusCode >= 400 && statusCode < 500 ? "REQUEST_MALFORMED" : undefined;
}

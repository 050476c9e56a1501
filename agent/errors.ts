import { BaseError } from "../core/errors";

/**
 * Every way `basekms agent` can fail or refuse. Codes are stable: the CLI prints them, tests
 * assert them, and `isTransient` decides, in one place, what the boot loop may retry.
 */
export type AgentErrorCode =
  /** A flag or parameter is malformed (app id, instance id, app-compose, URL). */
  | "INPUT_INVALID"
  /** RTMR3 cannot be extended here (no TDX guest measurement interface). */
  | "MEASUREMENT_UNAVAILABLE"
  /** Writing an RTMR3 extension failed. */
  | "MEASUREMENT_FAILED"
  /** RTMR3 already holds a different app's events this boot; only a reboot resets it. */
  | "MEASUREMENT_CONFLICT"
  /** No quote provider here (no configfs-tsm report directory, or not a TDX one). */
  | "QUOTE_UNAVAILABLE"
  /** The quote provider answered, but not with a usable quote for our report_data. */
  | "QUOTE_FAILED"
  /** The KMS could not be reached (connection refused, reset, DNS, timeout). Transient. */
  | "KMS_UNREACHABLE"
  /** The KMS said "try again later" (429, 5xx, e.g. 503 POLICY_UNAVAILABLE). Transient. */
  | "KMS_UNAVAILABLE"
  /**
   * The KMS refused the request (any other 4xx); `kmsErrorCode` holds its code and `kmsReason`
   * its reason, when it sent one (COMPOSE_HASH_NOT_ALLOWED: `revoked`, ...). Final.
   */
  | "KMS_REFUSED"
  /** The KMS answered 2xx with a body that is not the protocol's. */
  | "KMS_RESPONSE_INVALID"
  /** The receipt is malformed, or its leaf does not hash to its leaf hash. */
  | "RECEIPT_INVALID"
  /** The receipt's leaf records another app, instance, compose hash, agent key, quote or chain. */
  | "RECEIPT_LEAF_MISMATCH"
  /** The inclusion proof does not lead from the leaf to the signed root. */
  | "RECEIPT_PROOF_INVALID"
  /** The checkpoint signature is malformed or was not made by `receipt.kms`. */
  | "RECEIPT_SIGNATURE_INVALID"
  /** The checkpoint signer is not a registered KMS identity on chain. */
  | "KMS_NOT_REGISTERED"
  /** The RPC node could not answer. Transient. */
  | "CHAIN_UNAVAILABLE"
  /** The RPC node serves another chain than the deployment file names. */
  | "CHAIN_MISMATCH"
  /** The sealed key did not open with our key and context, or is not a 32-byte key. */
  | "SEALED_KEY_INVALID"
  /** Refused to write the key where it would leak (stdout is a terminal). */
  | "KEY_OUTPUT_REFUSED"
  /** Writing the key file or stream failed. */
  | "KEY_OUTPUT_FAILED";

const TRANSIENT_CODES: ReadonlySet<AgentErrorCode> = new Set(["KMS_UNREACHABLE", "KMS_UNAVAILABLE", "CHAIN_UNAVAILABLE"]);

export interface AgentErrorDetails {
  cause?: unknown;
  /** For KMS_REFUSED / KMS_UNAVAILABLE: the KMS's own `errorCode`, when it sent one. */
  kmsErrorCode?: string;
  /**
   * For KMS_REFUSED / KMS_UNAVAILABLE: the KMS's `reason`, when it sent one, e.g. `not-approved`,
   * `not-yet-active`, `revoked` or `unknown-app` for COMPOSE_HASH_NOT_ALLOWED.
   */
  kmsReason?: string;
  /** For KMS answers: the HTTP status. */
  httpStatus?: number;
  /** For KMS_UNAVAILABLE: the KMS's Retry-After, in milliseconds. */
  retryAfterMs?: number;
}

export class AgentError extends BaseError<AgentErrorCode> {
  readonly kmsErrorCode: string | undefined;
  readonly kmsReason: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: AgentErrorCode, message: string, details: AgentErrorDetails = {}) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kmsErrorCode = details.kmsErrorCode;
    this.kmsReason = details.kmsReason;
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** True for failures that a later attempt may not meet (network, 429, 5xx, RPC down). */
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }

  override toJSON(): { code: AgentErrorCode; message: string; kmsErrorCode?: string; kmsReason?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.kmsErrorCode ? { kmsErrorCode: this.kmsErrorCode } : {}),
      ...(this.kmsReason ? { kmsReason: this.kmsReason } : {}),
    };
  }
}

export function isTransientAgentError(error: unknown): error is AgentError {
  return error instanceof AgentError && error.transient;
}

import { BaseError } from "../core/errors";

/**
 * Refusals and failures that belong to the KMS service itself. Quote, crypto and release-log
 * refusals keep their own classes and codes (AttestationError, CryptoError, ReleaseLogError);
 * `kms/httpErrors.ts` maps every code of every family to one HTTP status.
 */
export type KmsErrorCode =
  // the HTTP request itself
  | "REQUEST_MALFORMED"
  | "BODY_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "NOT_FOUND"
  // challenge nonces (docs/protocol.md step 3)
  | "NONCE_UNKNOWN"
  | "NONCE_EXPIRED"
  | "NONCE_REUSED"
  // on-chain policy (steps 5 and 6, onboarding)
  | "PLATFORM_NOT_ALLOWED"
  | "TCB_STATUS_NOT_ALLOWED"
  | "COMPOSE_HASH_NOT_ALLOWED"
  | "KMS_MEASUREMENT_NOT_ALLOWED"
  // try again later
  | "POLICY_UNAVAILABLE"
  /** A release worker thread crashed, exited or timed out while holding the request. */
  | "WORKER_UNAVAILABLE"
  // the KMS's own identity is not (or no longer) registered in PlatformPolicy at the policy block
  | "KMS_NOT_REGISTERED"
  // the log has no signed checkpoint yet
  | "CHECKPOINT_UNAVAILABLE"
  // onboarding, seen from the joining KMS
  | "ONBOARDING_FAILED"
  | "ONBOARDING_RECEIPT_INVALID"
  | "ONBOARDING_PEER_NOT_REGISTERED"
  // start-up refusals
  | "SANDBOX_ON_PRODUCTION_CHAIN"
  | "TDX_UNAVAILABLE"
  | "CONTRACT_NOT_DEPLOYED"
  | "CHAIN_ID_MISMATCH"
  | "RPC_UNREACHABLE"
  | "KMS_IDENTITY_INVALID"
  // a bug: never expected
  | "INTERNAL_ERROR";

/** Why a compose hash is refused (COMPOSE_HASH_NOT_ALLOWED), read from `AppRegistry.getRelease` / `getApp`. */
export type ComposeRefusalReason = "not-approved" | "not-yet-active" | "revoked" | "unknown-app";

export class KmsError extends BaseError<KmsErrorCode> {
  /** Extra public fields for the error body (e.g. `{ reason: "revoked" }`); never secrets. */
  readonly details: Readonly<Record<string, string | number>> | undefined;

  constructor(
    code: KmsErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, string | number> },
  ) {
    super(code, message, options);
    this.details = options?.details;
  }
}

export function policyUnavailable(message: string, cause?: unknown): KmsError {
  return new KmsError("POLICY_UNAVAILABLE", message, { cause });
}

import { BaseError } from "../../core/errors";

/**
 * Every way loading, creating, sealing or onboarding the KMS root secret can fail. Messages
 * name files, modes and lengths, never secret bytes.
 */
export type SecretErrorCode =
  /** The sandbox secret file is not 32 raw bytes or 64 hex characters, is all zero, or is not a regular file. */
  | "SECRET_FILE_INVALID"
  /** The sandbox secret file is readable or writable by group or others (must be 0600 or stricter). */
  | "SECRET_FILE_PERMISSIONS"
  /** The sandbox secret file exists but could not be opened or read. */
  | "SECRET_FILE_UNREADABLE"
  /** The sandbox secret file could not be created durably. */
  | "SECRET_FILE_WRITE_FAILED"
  /** Sealed mode without the TDX guest device, or the sealed store failed. */
  | "SEALED_STORAGE_UNAVAILABLE"
  /** Sealed mode has no stored root secret and genesis was not requested: onboard from another KMS. */
  | "ROOT_SECRET_UNAVAILABLE"
  /**
   * Sealed genesis over a data directory that a KMS already used (release log, refusal table, ...)
   * or that cannot be listed: restart without genesis and onboard, or use an empty directory.
   */
  | "GENESIS_OVER_EXISTING_STATE"
  /** A root secret handed in or produced is not 32 non-zero bytes. */
  | "ROOT_SECRET_INVALID"
  | "ONBOARDING_SEAL_FAILED"
  | "ONBOARDING_OPEN_FAILED";

export class SecretError extends BaseError<SecretErrorCode> {}

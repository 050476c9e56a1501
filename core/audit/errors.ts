import { BaseError } from "../errors";

/**
 * Why an audit could not be carried out (as opposed to what it found: see findings.ts). An
 * audit that cannot read the chain or the log says so and exits 1; it never reports "clean"
 * on missing data.
 */
export type AuditErrorCode =
  /** The RPC did not answer, or answered with an error that is not a range limit. */
  | "AUDIT_RPC_UNAVAILABLE"
  /** The RPC serves another chain than the deployment file names. */
  | "AUDIT_CHAIN_MISMATCH"
  /** A block asked for is not on the chain, or before the deployment. */
  | "AUDIT_BLOCK_OUT_OF_RANGE"
  /** The KMS's log API did not answer, or answered with a non-2xx status. */
  | "AUDIT_KMS_UNAVAILABLE"
  /** The KMS's log API answered with something that is not the documented shape. */
  | "AUDIT_KMS_RESPONSE_INVALID"
  /** A period bound is not a block number or a date, or the period ends before it starts. */
  | "AUDIT_PERIOD_INVALID"
  /** The app id is malformed or was never registered. */
  | "AUDIT_APP_UNKNOWN";

export class AuditError extends BaseError<AuditErrorCode> {}

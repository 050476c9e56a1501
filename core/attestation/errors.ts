import { BaseError } from "../errors";

/**
 * Every way a quote, its collateral or its event log can be refused. Codes are stable:
 * the KMS returns them to agents, the CLI prints them, and tests assert them.
 * Add a code here (one line, in its group) rather than reusing a vaguer one.
 */
export type AttestationErrorCode =
  // quote bytes (parser)
  | "QUOTE_TRUNCATED"
  | "QUOTE_MALFORMED"
  | "QUOTE_UNSUPPORTED_VERSION"
  | "QUOTE_UNSUPPORTED_TEE_TYPE"
  | "QUOTE_UNSUPPORTED_ATTESTATION_KEY_TYPE"
  | "QUOTE_UNSUPPORTED_BODY_TYPE"
  | "QUOTE_UNSUPPORTED_CERT_DATA_TYPE"
  // quote signatures and QE
  | "QUOTE_SIGNATURE_INVALID"
  | "QE_REPORT_SIGNATURE_INVALID"
  | "QE_REPORT_DATA_MISMATCH"
  | "QE_VENDOR_ID_MISMATCH"
  | "QE_IDENTITY_MISMATCH"
  | "QE_TCB_REVOKED"
  | "QE_TCB_LEVEL_NOT_FOUND"
  // certificates and CRLs
  | "CERT_MALFORMED"
  | "CERT_CHAIN_INVALID"
  | "CERT_SIGNATURE_INVALID"
  | "CERT_UNTRUSTED_ROOT"
  | "CERT_EXPIRED"
  | "CERT_NOT_YET_VALID"
  | "CERT_REVOKED"
  | "PCK_EXTENSION_MALFORMED"
  | "CRL_MALFORMED"
  | "CRL_SIGNATURE_INVALID"
  | "CRL_ISSUER_MISMATCH"
  | "CRL_EXPIRED"
  | "CRL_NOT_YET_VALID"
  // collateral
  | "COLLATERAL_MALFORMED"
  | "COLLATERAL_EXPIRED"
  | "COLLATERAL_NOT_YET_VALID"
  | "COLLATERAL_UNAVAILABLE"
  | "TCB_INFO_SIGNATURE_INVALID"
  | "TCB_INFO_UNSUPPORTED"
  | "QE_IDENTITY_SIGNATURE_INVALID"
  | "QE_IDENTITY_UNSUPPORTED"
  | "FMSPC_MISMATCH"
  | "PCE_ID_MISMATCH"
  // TCB evaluation
  | "TCB_LEVEL_NOT_FOUND"
  | "TCB_REVOKED"
  | "TDX_MODULE_MISMATCH"
  | "TDX_MODULE_IDENTITY_NOT_FOUND"
  // TD policy
  | "TD_DEBUG"
  | "TD_MR_SIGNER_SEAM_NONZERO"
  | "TD_SERVICE_TD_NONZERO"
  | "TD_ATTRIBUTES_NOT_ALLOWED"
  // RTMR3 event log
  | "EVENT_LOG_MALFORMED"
  | "EVENT_LOG_MISMATCH"
  | "EVENT_LOG_EVENT_MISSING"
  | "EVENT_LOG_EVENT_DUPLICATED"
  | "EVENT_LOG_DIGEST_MISMATCH"
  // app-compose.json (compose hash)
  | "APP_COMPOSE_MALFORMED";

export class AttestationError extends BaseError<AttestationErrorCode> {}

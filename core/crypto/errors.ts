import { BaseError } from "../errors";

/**
 * Every way envelope crypto, key derivation or a report-data binding can refuse. Codes are
 * stable; messages name the offending field but never carry key material.
 */
export type CryptoErrorCode =
  /** A public or private key has the wrong length or is not a usable X25519 key. */
  | "KEY_INVALID"
  /** A non-key input (nonce, app id, address, chain id, epoch, ...) is malformed or out of range. */
  | "INPUT_INVALID"
  /** HPKE sealing failed for a reason other than a bad key. */
  | "SEAL_FAILED"
  /** An HPKE envelope did not open: wrong key, wrong info/aad, tampered or malformed envelope. */
  | "OPEN_FAILED"
  /** A quote's report_data does not equal the value the protocol says it must bind. */
  | "REPORT_DATA_MISMATCH";

export class CryptoError extends BaseError<CryptoErrorCode> {}

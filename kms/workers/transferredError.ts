import { AttestationError, type AttestationErrorCode } from "../../core/attestation/errors";
import { CryptoError, type CryptoErrorCode } from "../../core/crypto/errors";
import { KmsError, type KmsErrorCode } from "../errors";

/**
 * Errors cross the worker boundary as plain data (structured clone keeps no classes), and
 * come back as the same class with the same code and message, so the main thread refuses
 * exactly as it would have in-process. Only the families a release worker can throw are
 * carried; anything else is a bug and comes back as a plain Error (500 INTERNAL_ERROR, its
 * message logged, never sent). Causes are dropped: they may hold library internals.
 */
export type TransferredError =
  | { family: "attestation"; code: AttestationErrorCode; message: string }
  | { family: "crypto"; code: CryptoErrorCode; message: string }
  | { family: "kms"; code: KmsErrorCode; message: string; details?: Record<string, string | number> }
  | { family: "unexpected"; message: string };

export function transferError(error: unknown): TransferredError {
  if (error instanceof AttestationError) return { family: "attestation", code: error.code, message: error.message };
  if (error instanceof CryptoError) return { family: "crypto", code: error.code, message: error.message };
  if (error instanceof KmsError) {
    return { family: "kms", code: error.code, message: error.message, ...(error.details ? { details: { ...error.details } } : {}) };
  }
  return { family: "unexpected", message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}

export function reviveError(error: TransferredError): Error {
  switch (error.family) {
    case "attestation":
      return new AttestationError(error.code, error.message);
    case "crypto":
      return new CryptoError(error.code, error.message);
    case "kms":
      return new KmsError(error.code, error.message, error.details ? { details: error.details } : undefined);
    default:
      return new Error(`release worker: ${error.message}`);
  }
}

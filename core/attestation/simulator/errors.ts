import { BaseError } from "../../errors";

/**
 * Refusals of the TDX simulator's builders: a caller asked for something the genuine
 * formats cannot carry (a 60-byte report data, an SVN above 255, a time DER cannot encode).
 * These are programming errors in sandbox code, never verification results.
 */
export type SimulatorErrorCode =
  /** A fixed-width byte field (report data, a measurement, an FMSPC) has the wrong length. */
  | "SIMULATOR_FIELD_LENGTH"
  /** A number is out of the range its field can hold (an SVN above 255, a negative integer). */
  | "SIMULATOR_VALUE_OUT_OF_RANGE"
  /** A string cannot be encoded as asked (bad PrintableString characters, a malformed OID). */
  | "SIMULATOR_ENCODING_INVALID";

export class SimulatorError extends BaseError<SimulatorErrorCode> {}

/** Throws SIMULATOR_FIELD_LENGTH unless `bytes` is exactly `length` long; returns the bytes. */
export function requireLength(field: string, bytes: Uint8Array, length: number): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new SimulatorError("SIMULATOR_FIELD_LENGTH", `${field} must be ${length} bytes, got ${got}`);
  }
  return bytes;
}

/** Throws SIMULATOR_VALUE_OUT_OF_RANGE unless `value` is an integer in [min, max]. */
export function requireIntegerInRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SimulatorError(
      "SIMULATOR_VALUE_OUT_OF_RANGE",
      `${field} must be an integer in [${min}, ${max}], got ${String(value)}`,
    );
  }
  return value;
}

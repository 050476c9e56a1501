import type { AttestationErrorCode } from "../../../core/attestation/errors";
import {
  BODY_DESCRIPTOR_SIZE,
  CERTIFICATION_DATA_HEADER_SIZE,
  ECDSA_PUBLIC_KEY_SIZE,
  ECDSA_SIGNATURE_SIZE,
  ENCLAVE_REPORT_SIZE,
  QUOTE_HEADER_SIZE,
  SIGNATURE_DATA_LENGTH_SIZE,
  TD_REPORT_10_SIZE,
} from "../../../core/attestation/quote/layout";

/** Every code the parser may throw. */
export const PARSER_ERROR_CODES: readonly AttestationErrorCode[] = [
  "QUOTE_TRUNCATED",
  "QUOTE_MALFORMED",
  "QUOTE_UNSUPPORTED_VERSION",
  "QUOTE_UNSUPPORTED_TEE_TYPE",
  "QUOTE_UNSUPPORTED_ATTESTATION_KEY_TYPE",
  "QUOTE_UNSUPPORTED_BODY_TYPE",
  "QUOTE_UNSUPPORTED_CERT_DATA_TYPE",
];

export function readU16(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}

/** A copy of `bytes` with a u16 written at `offset`. */
export function withU16(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint16(offset, value, true);
  return copy;
}

/** A copy of `bytes` with a u32 written at `offset`. */
export function withU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value >>> 0, true);
  return copy;
}

/**
 * Absolute offsets of the length and type fields of a well-formed quote, walked from its
 * own declared lengths (independently of the parser, from the layout constants).
 */
export interface QuoteFieldOffsets {
  version: number;
  attestationKeyType: number;
  teeType: number;
  /** v5 only. */
  bodyType?: number;
  bodySize?: number;
  signatureDataLength: number;
  certificationDataType: number;
  certificationDataSize: number;
  qeAuthDataLength: number;
  innerCertificationDataType: number;
  innerCertificationDataSize: number;
  pckChain: number;
  end: number;
}

export function quoteFieldOffsets(quote: Uint8Array): QuoteFieldOffsets {
  const version = readU16(quote, 0);
  let offset = QUOTE_HEADER_SIZE;
  const offsets: Partial<QuoteFieldOffsets> = { version: 0, attestationKeyType: 2, teeType: 4 };
  if (version === 5) {
    offsets.bodyType = offset;
    offsets.bodySize = offset + 2;
    const bodySize = readU32(quote, offset + 2);
    offset += BODY_DESCRIPTOR_SIZE + bodySize;
  } else {
    offset += TD_REPORT_10_SIZE;
  }
  offsets.signatureDataLength = offset;
  offset += SIGNATURE_DATA_LENGTH_SIZE + ECDSA_SIGNATURE_SIZE + ECDSA_PUBLIC_KEY_SIZE;
  offsets.certificationDataType = offset;
  offsets.certificationDataSize = offset + 2;
  offset += CERTIFICATION_DATA_HEADER_SIZE + ENCLAVE_REPORT_SIZE + ECDSA_SIGNATURE_SIZE;
  offsets.qeAuthDataLength = offset;
  offset += 2 + readU16(quote, offset);
  offsets.innerCertificationDataType = offset;
  offsets.innerCertificationDataSize = offset + 2;
  offsets.pckChain = offset + CERTIFICATION_DATA_HEADER_SIZE;
  offsets.end = offsets.pckChain + readU32(quote, offset + 2);
  return offsets as QuoteFieldOffsets;
}


import { AttestationError } from "../errors";
import type { ParsedQuote, QuoteHeader, TdReport } from "../types";
import { ByteReader } from "./byteReader";
import {
  ATTESTATION_KEY_TYPE_ECDSA_P256,
  BODY_TYPE_TD_REPORT_10,
  BODY_TYPE_TD_REPORT_15,
  CERT_DATA_TYPE_PCK_CHAIN_PEM,
  CERT_DATA_TYPE_QE_REPORT,
  ECDSA_PUBLIC_KEY_SIZE,
  ECDSA_SIGNATURE_SIZE,
  ENCLAVE_REPORT_SIZE,
  QUOTE_HEADER,
  QUOTE_VERSION_4,
  QUOTE_VERSION_5,
  TD_REPORT_10_SIZE,
  TD_REPORT_15_SIZE,
  TEE_TYPE_TDX,
} from "./layout";
import { parseEnclaveReport, parseTdReport } from "./parseReports";

/**
 * Parses an Intel TDX DCAP quote, v4 or v5, into its fields. Structure only: no signature,
 * certificate or policy is checked here (that is the verifier's job).
 *
 * Every declared length must agree with the others. Bytes after the quote's declared end
 * are accepted only when all zero (Google Cloud hands out quotes zero-padded to 8000
 * bytes); anything else there is refused, so no unsigned data rides along with a quote.
 *
 * Aliasing: every byte field of the result (including `signedBytes` and `quoteBytes`) is a
 * subarray view of `bytes`, not a copy. Each view has exactly its field's length and lies
 * inside `quoteBytes`, never in the padding. Callers that later mutate `bytes` must pass a
 * copy. `pckChainPem` is a fresh string.
 *
 * Throws only `AttestationError` with a `QUOTE_*` code, and never reads out of bounds.
 */
export function parseQuote(bytes: Uint8Array): ParsedQuote {
  if (!(bytes instanceof Uint8Array)) {
    throw new AttestationError("QUOTE_MALFORMED", "quote must be a Uint8Array");
  }
  const reader = ByteReader.over(bytes);
  const header = readHeader(reader);
  const { bodyType, body } = readBody(reader, header.version);
  const signedBytes = bytes.subarray(0, reader.position);

  const signatureData = reader.region(reader.u32("signature data length"), "signature data");
  const quoteSignature = signatureData.take(ECDSA_SIGNATURE_SIZE, "quote signature");
  const attestationKey = signatureData.take(ECDSA_PUBLIC_KEY_SIZE, "attestation key");
  const certification = readQeReportCertificationData(signatureData);
  signatureData.expectEnd("signature data");

  const end = reader.position;
  refuseNonZeroTrailingBytes(bytes, end);

  const quote: ParsedQuote = {
    header,
    body,
    signedBytes,
    quoteSignature,
    attestationKey,
    qeReport: parseEnclaveReport(certification.qeReportBytes),
    qeReportBytes: certification.qeReportBytes,
    qeReportSignature: certification.qeReportSignature,
    qeAuthData: certification.qeAuthData,
    pckChainPem: certification.pckChainPem,
    quoteBytes: bytes.subarray(0, end),
  };
  if (bodyType !== undefined) quote.bodyType = bodyType;
  return quote;
}

function readHeader(reader: ByteReader): QuoteHeader {
  const version = reader.u16("header.version");
  if (version !== QUOTE_VERSION_4 && version !== QUOTE_VERSION_5) {
    throw new AttestationError("QUOTE_UNSUPPORTED_VERSION", `quote version ${version} is not supported (4 or 5)`);
  }
  const attestationKeyType = reader.u16("header.attestation_key_type");
  if (attestationKeyType !== ATTESTATION_KEY_TYPE_ECDSA_P256) {
    throw new AttestationError(
      "QUOTE_UNSUPPORTED_ATTESTATION_KEY_TYPE",
      `attestation key type ${attestationKeyType} is not supported (2 = ECDSA P-256)`,
    );
  }
  const teeType = reader.u32("header.tee_type");
  if (teeType !== TEE_TYPE_TDX) {
    throw new AttestationError(
      "QUOTE_UNSUPPORTED_TEE_TYPE",
      `TEE type 0x${teeType.toString(16)} is not supported (0x81 = TDX)`,
    );
  }
  return {
    version,
    attestationKeyType,
    teeType,
    qeSvn: reader.u16("header.qe_svn"),
    pceSvn: reader.u16("header.pce_svn"),
    qeVendorId: reader.take(QUOTE_HEADER.qeVendorId.size, "header.qe_vendor_id"),
    userData: reader.take(QUOTE_HEADER.userData.size, "header.user_data"),
  };
}

/** v4: a TD report 1.0 follows the header. v5: a body descriptor says which report follows. */
function readBody(reader: ByteReader, version: number): { bodyType?: number; body: TdReport } {
  if (version === QUOTE_VERSION_4) {
    return { body: parseTdReport(reader.take(TD_REPORT_10_SIZE, "TD report"), "td10") };
  }
  const bodyType = reader.u16("body descriptor type");
  const bodySize = reader.u32("body descriptor size");
  let kind: TdReport["kind"];
  let expectedSize: number;
  if (bodyType === BODY_TYPE_TD_REPORT_10) {
    kind = "td10";
    expectedSize = TD_REPORT_10_SIZE;
  } else if (bodyType === BODY_TYPE_TD_REPORT_15) {
    kind = "td15";
    expectedSize = TD_REPORT_15_SIZE;
  } else {
    throw new AttestationError(
      "QUOTE_UNSUPPORTED_BODY_TYPE",
      `quote body type ${bodyType} is not supported (2 = TD report 1.0, 3 = TD report 1.5)`,
    );
  }
  if (bodySize !== expectedSize) {
    throw new AttestationError(
      "QUOTE_MALFORMED",
      `body descriptor size ${bodySize} does not match body type ${bodyType} (${expectedSize} bytes)`,
    );
  }
  return { bodyType, body: parseTdReport(reader.take(bodySize, "TD report"), kind) };
}

interface QeReportCertificationData {
  qeReportBytes: Uint8Array;
  qeReportSignature: Uint8Array;
  qeAuthData: Uint8Array;
  pckChainPem: string;
}

/** Certification data type 6: QE report ‖ its signature ‖ QE auth data ‖ inner cert data (type 5). */
function readQeReportCertificationData(signatureData: ByteReader): QeReportCertificationData {
  const type = signatureData.u16("certification data type");
  if (type !== CERT_DATA_TYPE_QE_REPORT) {
    throw new AttestationError(
      "QUOTE_UNSUPPORTED_CERT_DATA_TYPE",
      `certification data type ${type} is not supported (6 = QE report certification data)`,
    );
  }
  const data = signatureData.region(signatureData.u32("certification data size"), "certification data");
  const qeReportBytes = data.take(ENCLAVE_REPORT_SIZE, "QE report");
  const qeReportSignature = data.take(ECDSA_SIGNATURE_SIZE, "QE report signature");
  const qeAuthData = data.take(data.u16("QE auth data length"), "QE auth data");

  const innerType = data.u16("inner certification data type");
  if (innerType !== CERT_DATA_TYPE_PCK_CHAIN_PEM) {
    throw new AttestationError(
      "QUOTE_UNSUPPORTED_CERT_DATA_TYPE",
      `inner certification data type ${innerType} is not supported (5 = PCK certificate chain)`,
    );
  }
  const pem = data.take(data.u32("inner certification data size"), "PCK certificate chain");
  data.expectEnd("certification data");
  return { qeReportBytes, qeReportSignature, qeAuthData, pckChainPem: pemText(pem) };
}

/**
 * The PCK chain as text. Quote generators often count a C string's NUL terminator in the
 * size, so trailing NULs are dropped. Anything else must be printable ASCII or whitespace:
 * PEM is ASCII, and refusing control bytes here keeps them out of logs and later parsers.
 */
function pemText(pem: Uint8Array): string {
  let length = pem.length;
  while (length > 0 && pem[length - 1] === 0) length--;
  for (let i = 0; i < length; i++) {
    const byte = pem[i]!;
    const printable = byte >= 0x20 && byte <= 0x7e;
    const whitespace = byte === 0x09 || byte === 0x0a || byte === 0x0d;
    if (!printable && !whitespace) {
      throw new AttestationError(
        "QUOTE_MALFORMED",
        `PCK certificate chain has a non-text byte 0x${byte.toString(16).padStart(2, "0")} at offset ${i}`,
      );
    }
  }
  return Buffer.from(pem.buffer, pem.byteOffset, length).toString("latin1");
}

function refuseNonZeroTrailingBytes(bytes: Uint8Array, end: number): void {
  for (let i = end; i < bytes.length; i++) {
    if (bytes[i] !== 0) {
      throw new AttestationError(
        "QUOTE_MALFORMED",
        `non-zero byte after the quote's declared end (${end}) at offset ${i}; only zero padding is allowed`,
      );
    }
  }
}

import { concatBytes, utf8 } from "../../bytes";
import type { DevPki } from "./devPki";
import { requireIntegerInRange, requireLength } from "./errors";
import { rawPublicKey, signRaw } from "./keys";
import { DEFAULT_QE_AUTH_DATA, DEFAULT_TD_ATTRIBUTES, DEFAULT_XFAM, INTEL_QE_VENDOR_ID } from "./platform";
import { encodeQeReport, qeReportData } from "./qeReport";

/**
 * A genuine TDX DCAP quote v4 (Intel "TDX DCAP Quoting Library API", quote format v4),
 * signed by the dev PKI. All integers little-endian.
 *
 *   header 48:   version u16 = 4 | att key type u16 = 2 (ECDSA-P256) | tee type u32 = 0x81 |
 *                qe svn u16 | pce svn u16 (both 0 on real TDX quotes) | qe vendor id 16 | user data 20
 *   TD report 1.0 body 584 (field order below)
 *   u32 signature data length
 *   quote signature 64 (r‖s over header ‖ body) | attestation key 64 (x‖y)
 *   certification data: u16 type = 6 | u32 size |
 *     QE report 384 | QE report signature 64 (PCK key) | u16 len + QE auth data |
 *     u16 type = 5 | u32 size | PEM chain (PCK leaf, platform CA, root)[ ‖ NUL]
 *
 * SANDBOX ONLY: the signatures chain to the development root, never to Intel's.
 */

export const QUOTE_HEADER_SIZE = 48;
export const TD_REPORT10_SIZE = 584;
const QUOTE_VERSION = 4;
const ATTESTATION_KEY_TYPE_ECDSA_P256 = 2;
const TEE_TYPE_TDX = 0x81;
const CERT_DATA_QE_REPORT = 6;
const CERT_DATA_PCK_CHAIN = 5;

export interface BuildQuoteOptions {
  /** 64 bytes: the TD's REPORTDATA (binds the agent's key and the KMS nonce). */
  reportData: Uint8Array;
  /** 48 bytes each. Default: zeros. */
  mrTd?: Uint8Array;
  rtmr0?: Uint8Array;
  rtmr1?: Uint8Array;
  rtmr2?: Uint8Array;
  rtmr3?: Uint8Array;
  mrConfigId?: Uint8Array;
  mrOwner?: Uint8Array;
  mrOwnerConfig?: Uint8Array;
  /** 8 bytes. Default 0x0000001000000000 (SEPT_VE_DISABLE only); set byte 0 bit 0 for a debug TD. */
  tdAttributes?: Uint8Array;
  /** 8 bytes. Default e702060000000000. */
  xfam?: Uint8Array;
  /** 16 bytes. Default: the PKI platform's TEE_TCB_SVN. */
  teeTcbSvn?: Uint8Array;
  /** 48 bytes. Default: the PKI platform's MRSEAM. */
  mrSeam?: Uint8Array;
  /** 48 bytes. Default zeros (Intel's module signer); non-zero must be refused. */
  mrSignerSeam?: Uint8Array;
  /** 8 bytes. Default zeros. */
  seamAttributes?: Uint8Array;
  /** Default: the 32 bytes 0x00..0x1f, as real quotes carry. */
  qeAuthData?: Uint8Array;
  /** 20 bytes. Default: the PKI's QE id ‖ 4 zero bytes. */
  userData?: Uint8Array;
  /** Header SVN fields (reserved on TDX; real quotes carry 0). */
  qeSvn?: number;
  pceSvn?: number;
  /** Real quotes differ: some end the PEM chain with a NUL byte, some do not. Default true. */
  pckChainNulTerminated?: boolean;
}

function u16(value: number): Uint8Array {
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, value, true);
  return bytes;
}

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

function zeros(length: number): Uint8Array {
  return new Uint8Array(length);
}

function header(pki: DevPki, options: BuildQuoteOptions): Uint8Array {
  return concatBytes(
    u16(QUOTE_VERSION),
    u16(ATTESTATION_KEY_TYPE_ECDSA_P256),
    u32(TEE_TYPE_TDX),
    u16(requireIntegerInRange("qeSvn", options.qeSvn ?? 0, 0, 0xffff)),
    u16(requireIntegerInRange("pceSvn", options.pceSvn ?? 0, 0, 0xffff)),
    INTEL_QE_VENDOR_ID,
    requireLength("userData", options.userData ?? pki.quoteHeaderUserData, 20),
  );
}

/** TD report 1.0, in Intel's field order. */
function tdReportBody(pki: DevPki, options: BuildQuoteOptions): Uint8Array {
  const measurement = (name: keyof BuildQuoteOptions, value: Uint8Array | undefined, length: number) =>
    requireLength(name, value ?? zeros(length), length);
  return concatBytes(
    measurement("teeTcbSvn", options.teeTcbSvn ?? pki.platform.teeTcbSvn, 16),
    measurement("mrSeam", options.mrSeam ?? pki.platform.mrSeam, 48),
    measurement("mrSignerSeam", options.mrSignerSeam, 48),
    measurement("seamAttributes", options.seamAttributes, 8),
    measurement("tdAttributes", options.tdAttributes ?? DEFAULT_TD_ATTRIBUTES, 8),
    measurement("xfam", options.xfam ?? DEFAULT_XFAM, 8),
    measurement("mrTd", options.mrTd, 48),
    measurement("mrConfigId", options.mrConfigId, 48),
    measurement("mrOwner", options.mrOwner, 48),
    measurement("mrOwnerConfig", options.mrOwnerConfig, 48),
    measurement("rtmr0", options.rtmr0, 48),
    measurement("rtmr1", options.rtmr1, 48),
    measurement("rtmr2", options.rtmr2, 48),
    measurement("rtmr3", options.rtmr3, 48),
    requireLength("reportData", options.reportData, 64),
  );
}

/** Certification data type 6: the QE report, its PCK signature, QE auth data, and the PCK chain (type 5). */
function qeCertificationData(pki: DevPki, options: BuildQuoteOptions): Uint8Array {
  const qeAuthData = options.qeAuthData ?? DEFAULT_QE_AUTH_DATA;
  requireIntegerInRange("qeAuthData length", qeAuthData.length, 0, 0xffff);
  const qeReport = encodeQeReport(pki.quotingEnclave, qeReportData(rawPublicKey(pki.attestationKey), qeAuthData));
  const chainText = pki.pckChainPem + ((options.pckChainNulTerminated ?? true) ? "\0" : "");
  const chain = utf8(chainText);
  const inner = concatBytes(u16(CERT_DATA_PCK_CHAIN), u32(chain.length), chain);
  const body = concatBytes(
    qeReport,
    signRaw(pki.pckLeaf.keyPair.privateKey, qeReport),
    u16(qeAuthData.length),
    qeAuthData,
    inner,
  );
  return concatBytes(u16(CERT_DATA_QE_REPORT), u32(body.length), body);
}

/** Builds and signs a v4 TDX quote. Deterministic for equal inputs (RFC 6979 signatures). */
export function buildQuote(pki: DevPki, options: BuildQuoteOptions): Uint8Array {
  const signedBytes = concatBytes(header(pki, options), tdReportBody(pki, options));
  const signatureData = concatBytes(
    signRaw(pki.attestationKey.privateKey, signedBytes),
    rawPublicKey(pki.attestationKey),
    qeCertificationData(pki, options),
  );
  return concatBytes(signedBytes, u32(signatureData.length), signatureData);
}

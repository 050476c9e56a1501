/**
 * Byte layout of Intel TDX DCAP quotes v4 and v5 (Intel "TDX DCAP Quote Generation Library
 * and Quote Verification Library" API, quote format appendix). The parser and the TDX
 * simulator both build on these numbers, so the layout is written down once.
 * All integers are little-endian.
 */

/** A field inside a fixed-size structure: its offset from the structure's start, and its size. */
export interface FieldLayout {
  readonly offset: number;
  readonly size: number;
}

// ---------------------------------------------------------------- header (48 bytes)
export const QUOTE_HEADER_SIZE = 48;
export const QUOTE_HEADER = {
  version: { offset: 0, size: 2 },
  attestationKeyType: { offset: 2, size: 2 },
  teeType: { offset: 4, size: 4 },
  qeSvn: { offset: 8, size: 2 },
  pceSvn: { offset: 10, size: 2 },
  qeVendorId: { offset: 12, size: 16 },
  userData: { offset: 28, size: 20 },
} as const satisfies Record<string, FieldLayout>;

export const QUOTE_VERSION_4 = 4;
export const QUOTE_VERSION_5 = 5;
/** ECDSA-256-with-P-256 curve. */
export const ATTESTATION_KEY_TYPE_ECDSA_P256 = 2;
export const TEE_TYPE_TDX = 0x81;
/** Intel's Quoting Enclave vendor id (939a7233-f79c-4ca9-940a-0db3957f0607). */
export const INTEL_QE_VENDOR_ID_HEX = "939a7233f79c4ca9940a0db3957f0607";

// ---------------------------------------------------------------- v5 body descriptor (6 bytes)
/** v5 only: `u16 body type ‖ u32 body size`, between the header and the body. */
export const BODY_DESCRIPTOR_SIZE = 6;
export const BODY_TYPE_SGX_ENCLAVE_REPORT = 1;
export const BODY_TYPE_TD_REPORT_10 = 2;
export const BODY_TYPE_TD_REPORT_15 = 3;

// ---------------------------------------------------------------- TD report body
export const TD_REPORT_10_SIZE = 584;
export const TD_REPORT_15_SIZE = 648;
export const TD_REPORT = {
  teeTcbSvn: { offset: 0, size: 16 },
  mrSeam: { offset: 16, size: 48 },
  mrSignerSeam: { offset: 64, size: 48 },
  seamAttributes: { offset: 112, size: 8 },
  tdAttributes: { offset: 120, size: 8 },
  xfam: { offset: 128, size: 8 },
  mrTd: { offset: 136, size: 48 },
  mrConfigId: { offset: 184, size: 48 },
  mrOwner: { offset: 232, size: 48 },
  mrOwnerConfig: { offset: 280, size: 48 },
  rtmr0: { offset: 328, size: 48 },
  rtmr1: { offset: 376, size: 48 },
  rtmr2: { offset: 424, size: 48 },
  rtmr3: { offset: 472, size: 48 },
  reportData: { offset: 520, size: 64 },
  // TD report 1.5 only
  teeTcbSvn2: { offset: 584, size: 16 },
  mrServiceTd: { offset: 600, size: 48 },
} as const satisfies Record<string, FieldLayout>;

export const MEASUREMENT_SIZE = 48;
export const REPORT_DATA_SIZE = 64;

// ---------------------------------------------------------------- quote signature data
/** u32 length of everything after the signed bytes. */
export const SIGNATURE_DATA_LENGTH_SIZE = 4;
/** Raw r‖s of a P-256 ECDSA signature. */
export const ECDSA_SIGNATURE_SIZE = 64;
/** Raw x‖y of a P-256 public key. */
export const ECDSA_PUBLIC_KEY_SIZE = 64;
/** `u16 type ‖ u32 size` in front of every certification data block. */
export const CERTIFICATION_DATA_HEADER_SIZE = 6;
/** Outer certification data of a TDX quote: QE report, its signature, QE auth data, inner cert data. */
export const CERT_DATA_TYPE_QE_REPORT = 6;
/** Inner certification data: the PCK leaf, the PCK CA and the root, as concatenated PEM. */
export const CERT_DATA_TYPE_PCK_CHAIN_PEM = 5;
/** u16 length in front of the QE authentication data. */
export const QE_AUTH_DATA_LENGTH_SIZE = 2;

// ---------------------------------------------------------------- QE report (SGX report body, 384 bytes)
export const ENCLAVE_REPORT_SIZE = 384;
export const ENCLAVE_REPORT = {
  cpuSvn: { offset: 0, size: 16 },
  miscSelect: { offset: 16, size: 4 },
  // reserved 28
  attributes: { offset: 48, size: 16 },
  mrEnclave: { offset: 64, size: 32 },
  // reserved 32
  mrSigner: { offset: 128, size: 32 },
  // reserved 96
  isvProdId: { offset: 256, size: 2 },
  isvSvn: { offset: 258, size: 2 },
  // reserved 60
  reportData: { offset: 320, size: 64 },
} as const satisfies Record<string, FieldLayout>;

/** Bytes the attestation key signs: header ‖ [v5 descriptor] ‖ body. */
export function signedLength(version: number, bodySize: number): number {
  return QUOTE_HEADER_SIZE + (version === QUOTE_VERSION_5 ? BODY_DESCRIPTOR_SIZE : 0) + bodySize;
}

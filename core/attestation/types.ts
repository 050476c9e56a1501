/**
 * Shapes shared by the quote parser, the verifier, the simulator and the CLI.
 * Field names follow Intel's TDX DCAP Quote Library API (v4/v5 quote formats).
 * All byte fields are raw bytes; hex only at the edges.
 */

/** TCB statuses, as Intel spells them in TCB Info and QE Identity. */
export const TCB_STATUSES = [
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
] as const;
export type TcbStatus = (typeof TCB_STATUSES)[number];

export interface QuoteHeader {
  /** 4 or 5. */
  version: number;
  /** 2 = ECDSA-256-with-P-256. */
  attestationKeyType: number;
  /** 0x81 = TDX. */
  teeType: number;
  qeSvn: number;
  pceSvn: number;
  /** 16 bytes; Intel's QE vendor id is 939a7233f79c4ca9940a0db3957f0607. */
  qeVendorId: Uint8Array;
  /** 20 bytes. */
  userData: Uint8Array;
}

/** TD report body: TD 1.0 (584 bytes) or TD 1.5 (648 bytes, adds teeTcbSvn2 and mrServiceTd). */
export interface TdReport {
  kind: "td10" | "td15";
  teeTcbSvn: Uint8Array; // 16
  mrSeam: Uint8Array; // 48
  mrSignerSeam: Uint8Array; // 48
  seamAttributes: Uint8Array; // 8
  tdAttributes: Uint8Array; // 8
  xfam: Uint8Array; // 8
  mrTd: Uint8Array; // 48
  mrConfigId: Uint8Array; // 48
  mrOwner: Uint8Array; // 48
  mrOwnerConfig: Uint8Array; // 48
  rtmr0: Uint8Array; // 48
  rtmr1: Uint8Array; // 48
  rtmr2: Uint8Array; // 48
  rtmr3: Uint8Array; // 48
  reportData: Uint8Array; // 64
  /** TD 1.5 only. */
  teeTcbSvn2?: Uint8Array; // 16
  /** TD 1.5 only. */
  mrServiceTd?: Uint8Array; // 48
}

/** SGX enclave report of the Quoting Enclave (384 bytes). */
export interface EnclaveReport {
  cpuSvn: Uint8Array; // 16
  miscSelect: number; // u32 LE
  attributes: Uint8Array; // 16
  mrEnclave: Uint8Array; // 32
  mrSigner: Uint8Array; // 32
  isvProdId: number; // u16 LE
  isvSvn: number; // u16 LE
  reportData: Uint8Array; // 64
}

export interface ParsedQuote {
  header: QuoteHeader;
  /** v5 only: the body descriptor (2 = TD 1.0, 3 = TD 1.5). */
  bodyType?: number;
  body: TdReport;
  /** Exactly the bytes the attestation key signed: header, [v5 descriptor,] body. */
  signedBytes: Uint8Array;
  /** 64 bytes raw r‖s (P-256 ECDSA-SHA256) over signedBytes. */
  quoteSignature: Uint8Array;
  /** 64 bytes raw x‖y of the P-256 attestation key. */
  attestationKey: Uint8Array;
  qeReport: EnclaveReport;
  /** The 384 raw bytes of the QE report (signed by the PCK key). */
  qeReportBytes: Uint8Array;
  /** 64 bytes raw r‖s, by the PCK leaf key, over qeReportBytes. */
  qeReportSignature: Uint8Array;
  qeAuthData: Uint8Array;
  /** The PCK chain as embedded in the quote (certification data type 5), PEM text, leaf first. */
  pckChainPem: string;
  /** The quote without trailing padding: the length the fields declare. */
  quoteBytes: Uint8Array;
}

/** Collateral as used in ../shared/tdx-vectors (dcap-qvl's QuoteCollateralV3 JSON). */
export interface CollateralJson {
  pck_crl_issuer_chain: string;
  root_ca_crl: string; // hex DER
  pck_crl: string; // hex DER
  tcb_info_issuer_chain: string;
  tcb_info: string; // exact signed JSON text
  tcb_info_signature: string; // hex r‖s
  qe_identity_issuer_chain: string;
  qe_identity: string; // exact signed JSON text
  qe_identity_signature: string; // hex r‖s
  pck_certificate_chain?: string;
}

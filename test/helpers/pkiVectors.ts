import {
  type QuoteVectorSet,
  loadQuoteVector,
  readVectorBytes,
  readVectorJson,
} from "./vectors";

/**
 * Certificates, CRLs and expectations from ../shared/tdx-vectors for the PKI tests.
 * Every expected value below is copied from the vectors README ("PCK leaf: serial=… valid …",
 * "PCK ext: fmspc=… pcesvn=… cpusvn=…"), which states what the source repositories expect.
 */
export { VECTORS_DIR, readVectorBytes, readVectorJson, readVectorText } from "./vectors";

/** The collateral JSON format (dcap-qvl QuoteCollateralV3); CRLs are hex DER. */
export interface CollateralVector {
  pck_crl_issuer_chain: string;
  root_ca_crl: string;
  pck_crl: string;
  tcb_info_issuer_chain: string;
  qe_identity_issuer_chain: string;
  pck_certificate_chain?: string;
}

export const COLLATERAL_FILES = [
  "dcap-qvl/tdx_quote_collateral.json",
  "dcap-qvl/tdx_quote_outdated_collateral.json",
  "near-mpc/collateral.json",
  "go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json",
  "automata/quote_tdx_collateral.json",
] as const;
export type CollateralFile = (typeof COLLATERAL_FILES)[number];

export function loadCollateral(file: CollateralFile): CollateralVector {
  return readVectorJson<CollateralVector>(file);
}

export function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** DER CRL and certificate files stored as-is in the vectors. */
export const DER_CRL_FILES = [
  "go-tdx-guest/pckcrl",
  "go-tdx-guest/rootcrl.der",
  "automata/pck_platform_crl.der",
  "automata/intel_root_ca_crl.der",
] as const;
export const DER_CERTIFICATE_FILES = [
  "automata/root.der",
  "automata/signing.der",
  "automata/platform.der",
  "intel-root-ca/TrustedRootCA.der",
] as const;
export const PEM_CHAIN_FILES = ["go-tdx-guest/tcb_info_issuer_chain.pem", "go-tdx-guest/pck_crl_issuer_chain.pem"] as const;

export const INTEL_ROOT_FILE = "intel-root-ca/TrustedRootCA.der";

/**
 * The PEM PCK chain embedded in a quote (certification data type 5), found by its markers.
 * Good enough for PKI tests; the quote parser reads it by its declared lengths.
 */
export function pemChainInQuote(quote: Uint8Array): string {
  const text = Buffer.from(quote).toString("latin1");
  const begin = text.indexOf("-----BEGIN CERTIFICATE-----");
  const endMarker = "-----END CERTIFICATE-----";
  const end = text.lastIndexOf(endMarker);
  if (begin < 0 || end < begin) throw new Error("no PEM chain in quote");
  return text.slice(begin, end + endMarker.length);
}

export interface PckLeafExpectation {
  serialHex: string;
  notBefore: string;
  notAfter: string;
  fmspc: string;
  pceSvn: number;
  cpuSvn: string;
}

export interface PkiSet {
  set: QuoteVectorSet;
  /** Collateral whose CRLs and chains apply (the README's pairing, "borrowed" where noted). */
  collateral: CollateralFile;
  now: number;
  leaf: PckLeafExpectation;
}

const S2_COLLATERAL = "dcap-qvl/tdx_quote_outdated_collateral.json";

/** S5 is left out: no collateral current for its leaf exists (see `S5`). */
export const PKI_SETS: PkiSet[] = [
  { set: "S1", collateral: "dcap-qvl/tdx_quote_collateral.json", now: 1752919234,
    leaf: leaf("3C16ED54EACBB4CED072BE72630C85788CF46E36", "2025-02-06T23:25:51Z", "2032-02-06T23:25:51Z", "b0c06f000000", 11, "03030202040100050000000000000000") },
  { set: "S2", collateral: S2_COLLATERAL, now: 1774003274,
    leaf: leaf("E825941783E2CDB6A42D95A56F871957855B0EDD", "2026-01-23T18:09:41Z", "2033-01-23T18:09:41Z", "90c06f000000", 13, "03030202040100030000000000000000") },
  { set: "S3", collateral: "near-mpc/collateral.json", now: 1786622400,
    leaf: leaf("7F649BCB090C55324A539EFF270069F047613F4E", "2025-11-06T07:37:34Z", "2032-11-06T07:37:34Z", "b0c06f000000", 11, "04040202040100050000000000000000") },
  { set: "S4", collateral: S2_COLLATERAL, now: 1772707803,
    leaf: leaf("BA81573B2AFF1B22E4DF2EC41A18E65E80419D43", "2025-09-16T02:28:15Z", "2032-09-16T02:28:15Z", "90c06f000000", 13, "04040202040100050000000000000000") },
  { set: "S6", collateral: "go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json", now: 1688173200,
    leaf: leaf("BBA6C175D838B8DF3900CC3411F24F512D104102", "2022-09-20T13:20:31Z", "2029-09-20T13:20:31Z", "50806f000000", 11, "03030202020100020000000000000000") },
  { set: "S7", collateral: S2_COLLATERAL, now: 1772707803,
    leaf: leaf("281450CD833A6CF298EA01209AF1400091FB756B", "2026-01-27T14:36:27Z", "2033-01-27T14:36:27Z", "90c06f000000", 13, "04040202040100050000000000000000") },
  { set: "S8", collateral: "automata/quote_tdx_collateral.json", now: 1753175614,
    leaf: leaf("B6E84ED5C5DEE11DA48E3B4C4D35C2AE55AB2153", "2024-02-14T12:05:18Z", "2031-02-14T12:05:18Z", "00806f050000", 11, "06060202030100030000000000000000") },
  { set: "S9", collateral: S2_COLLATERAL, now: 1772707803,
    leaf: leaf("8946184D0327E285D94E9D9F793D900324C1584E", "2025-06-14T16:04:26Z", "2032-06-14T16:04:26Z", "90c06f000000", 13, "02020202030100050000000000000000") },
];

/** S5's leaf is valid from 2026-04-15; S3's collateral (Platform CA CRL of 2026-08) covers it. */
export const S5: PkiSet = {
  set: "S5", collateral: "near-mpc/collateral.json", now: 1786622400,
  leaf: leaf("56969CC0BBE5D6619A50F93C282B8F000DC68854", "2026-04-15T00:50:58Z", "2033-04-15T00:50:58Z", "90c06f000000", 13, "04040202040100050000000000000000"),
};

/** near-mpc's crates/tee-verifier test expects this PPID for S3. */
export const S3_PPID = "d208dfb1002346ae1bb4ef2a3c055292";

export function quotePemChain(set: QuoteVectorSet): string {
  return pemChainInQuote(loadQuoteVector(set));
}

export function intelRootDer(): Uint8Array {
  return readVectorBytes(INTEL_ROOT_FILE);
}

export function unixSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

function leaf(serialHex: string, notBefore: string, notAfter: string, fmspc: string, pceSvn: number, cpuSvn: string): PckLeafExpectation {
  return { serialHex, notBefore, notAfter, fmspc, pceSvn, cpuSvn };
}

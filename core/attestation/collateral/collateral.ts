import { readFileSync } from "node:fs";
import { toHex, tryFromHex } from "../../bytes";
import { AttestationError } from "../errors";
import type { CollateralJson } from "../types";
import { parseQeIdentity, type QeIdentity } from "./qeIdentity";
import { type JsonObject, malformed, parseJsonObject } from "./strictJson";
import { parseTcbInfo, type TcbInfo } from "./tcbInfo";

/**
 * Everything a TDX quote is verified against, besides the pinned root. Text and bytes are
 * kept exactly as Intel signed or served them: the TCB Info and QE Identity signatures cover
 * `tcbInfoText` / `qeIdentityText` byte for byte, so they are never re-serialized.
 */
export interface Collateral {
  /** PEM, leaf first: the CA that issued the PCK CRL (PCK Platform or Processor CA), then the root. */
  pckCrlIssuerChainPem: string;
  /** DER of the Intel SGX Root CA CRL. */
  rootCaCrlDer: Uint8Array;
  /** DER of the PCK Platform/Processor CA CRL. */
  pckCrlDer: Uint8Array;
  /** PEM, leaf first: Intel SGX TCB Signing, then the root. */
  tcbInfoIssuerChainPem: string;
  /** The exact signed `tcbInfo` JSON text. */
  tcbInfoText: string;
  tcbInfo: TcbInfo;
  /** 64 bytes, raw r‖s (P-256, ECDSA-SHA256) over the UTF-8 bytes of `tcbInfoText`. */
  tcbInfoSignature: Uint8Array;
  qeIdentityIssuerChainPem: string;
  /** The exact signed `enclaveIdentity` JSON text. */
  qeIdentityText: string;
  qeIdentity: QeIdentity;
  /** 64 bytes, raw r‖s over the UTF-8 bytes of `qeIdentityText`. */
  qeIdentitySignature: Uint8Array;
  /** Only in some vector files (near-mpc). A verifier should trust the quote's own chain. */
  pckCertificateChainPem?: string;
}

/** The raw pieces of a collateral, before the signed texts are parsed. */
export interface CollateralPieces {
  pckCrlIssuerChainPem: string;
  rootCaCrlDer: Uint8Array;
  pckCrlDer: Uint8Array;
  tcbInfoIssuerChainPem: string;
  tcbInfoText: string;
  tcbInfoSignature: Uint8Array;
  qeIdentityIssuerChainPem: string;
  qeIdentityText: string;
  qeIdentitySignature: Uint8Array;
  pckCertificateChainPem?: string;
}

const PEM_CERT_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** Checks the pieces' shapes and parses the signed texts. */
export function assembleCollateral(pieces: CollateralPieces): Collateral {
  const chains = [
    ["pck_crl_issuer_chain", pieces.pckCrlIssuerChainPem],
    ["tcb_info_issuer_chain", pieces.tcbInfoIssuerChainPem],
    ["qe_identity_issuer_chain", pieces.qeIdentityIssuerChainPem],
    ...(pieces.pckCertificateChainPem === undefined
      ? []
      : [["pck_certificate_chain", pieces.pckCertificateChainPem] as const]),
  ] as const;
  for (const [name, pem] of chains) {
    if (!PEM_CERT_RE.test(pem)) throw malformed(`${name} holds no PEM certificate`);
  }
  for (const [name, sig] of [
    ["tcb_info_signature", pieces.tcbInfoSignature],
    ["qe_identity_signature", pieces.qeIdentitySignature],
  ] as const) {
    if (sig.length !== 64) throw malformed(`${name} must be 64 bytes (raw r‖s), is ${sig.length}`);
  }
  for (const [name, der] of [
    ["root_ca_crl", pieces.rootCaCrlDer],
    ["pck_crl", pieces.pckCrlDer],
  ] as const) {
    if (der.length < 2 || der[0] !== 0x30) throw malformed(`${name} is not a DER SEQUENCE`);
  }
  return {
    ...pieces,
    tcbInfo: parseTcbInfo(pieces.tcbInfoText),
    qeIdentity: parseQeIdentity(pieces.qeIdentityText),
  };
}

/**
 * Parses the vectors' collateral JSON (dcap-qvl's `QuoteCollateralV3`). Signatures and CRLs
 * may be hex strings or arrays of byte values.
 */
export function parseCollateralJson(text: string): Collateral {
  const json = parseJsonObject(text, "collateral file");
  const pckCertificateChainPem =
    json.pck_certificate_chain === undefined || json.pck_certificate_chain === null
      ? undefined
      : readText(json, "pck_certificate_chain");
  return assembleCollateral({
    pckCrlIssuerChainPem: readText(json, "pck_crl_issuer_chain"),
    rootCaCrlDer: readBytes(json, "root_ca_crl"),
    pckCrlDer: readBytes(json, "pck_crl"),
    tcbInfoIssuerChainPem: readText(json, "tcb_info_issuer_chain"),
    tcbInfoText: readText(json, "tcb_info"),
    tcbInfoSignature: readBytes(json, "tcb_info_signature"),
    qeIdentityIssuerChainPem: readText(json, "qe_identity_issuer_chain"),
    qeIdentityText: readText(json, "qe_identity"),
    qeIdentitySignature: readBytes(json, "qe_identity_signature"),
    ...(pckCertificateChainPem === undefined ? {} : { pckCertificateChainPem }),
  });
}

/** Reads and parses a collateral JSON file. A file that cannot be read is `COLLATERAL_UNAVAILABLE`. */
export function loadCollateralFile(path: string): Collateral {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new AttestationError("COLLATERAL_UNAVAILABLE", `cannot read collateral file ${path}`, { cause: error });
  }
  return parseCollateralJson(text);
}

/** The vectors' JSON shape, with lowercase hex; the signed texts are copied unchanged. */
export function collateralToJson(collateral: Collateral): CollateralJson {
  return {
    pck_crl_issuer_chain: collateral.pckCrlIssuerChainPem,
    root_ca_crl: toHex(collateral.rootCaCrlDer),
    pck_crl: toHex(collateral.pckCrlDer),
    tcb_info_issuer_chain: collateral.tcbInfoIssuerChainPem,
    tcb_info: collateral.tcbInfoText,
    tcb_info_signature: toHex(collateral.tcbInfoSignature),
    qe_identity_issuer_chain: collateral.qeIdentityIssuerChainPem,
    qe_identity: collateral.qeIdentityText,
    qe_identity_signature: toHex(collateral.qeIdentitySignature),
    ...(collateral.pckCertificateChainPem === undefined
      ? {}
      : { pck_certificate_chain: collateral.pckCertificateChainPem }),
  };
}

/** The collateral file text: two-space indented JSON plus a final newline. */
export function serializeCollateral(collateral: Collateral): string {
  return `${JSON.stringify(collateralToJson(collateral), null, 2)}\n`;
}

function readText(json: JsonObject, key: string): string {
  const value = json[key];
  if (typeof value !== "string" || value.length === 0) throw malformed(`${key} must be a non-empty string`);
  return value;
}

function readBytes(json: JsonObject, key: string): Uint8Array {
  const value = json[key];
  if (typeof value === "string") {
    const bytes = tryFromHex(value);
    if (bytes) return bytes;
  } else if (Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    return Uint8Array.from(value as number[]);
  }
  throw malformed(`${key} must be hex or an array of byte values`);
}

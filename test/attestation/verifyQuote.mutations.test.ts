import { describe, expect, it } from "vitest";
import { assembleCollateral, type Collateral } from "../../core/attestation/collateral";
import type { AttestationErrorCode } from "../../core/attestation/errors";
import { ENCLAVE_REPORT, QUOTE_HEADER, QUOTE_HEADER_SIZE, TD_REPORT } from "../../core/attestation/quote";
import { QuoteVerifierCache, verifyQuote } from "../../core/attestation/verifyQuote";
import { expectRefusal } from "../helpers/collateralVectors";
import { QUOTE_SETS, collateralOf, intelRootDer, quoteOf } from "../helpers/quoteSets";
import { quoteFieldOffsets } from "./quote/quoteMutations";
import { children, readTlv } from "./simulator/helpers";

/**
 * One flipped byte in each signed region of a real quote and its real collateral must be
 * refused with the code of the check that covers that region. Each expected code names the
 * step that must run: if the verifier skipped it, the flipped input would be accepted (or
 * refused later, with another code) and the test would fail.
 */

const trustedRoots = [intelRootDer()];

function flipped(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  if (offset < 0 || offset >= bytes.length) throw new Error(`offset ${offset} outside ${bytes.length} bytes`);
  const copy = bytes.slice();
  copy[offset] = copy[offset]! ^ mask;
  return copy;
}

// ------------------------------------------------------------------ DER and PEM surgery

/** Where to flip a byte inside one DER certificate or CRL (a signed SEQUENCE). */
type DerSpot = "signature" | "tbsTag" | "serial" | "issuerName" | "subjectName" | "tbsLastByte";

function derOffset(der: Uint8Array, spot: DerSpot): number {
  const outer = readTlv(der);
  const [tbs] = children(outer.content);
  if (!tbs) throw new Error("not a signed structure");
  const tbsStart = outer.contentStart; // the TBS element starts the outer content
  const fields = children(tbs.content);
  const field = (index: number) => {
    const element = fields[index];
    if (!element) throw new Error(`TBS has no field ${index}`);
    // The last content byte of that element, as an offset into `der`.
    return tbsStart + (tbs.contentStart - tbs.start) + element.end - 1;
  };
  switch (spot) {
    case "signature":
      return der.length - 1; // last byte of s in the signature value
    case "tbsTag":
      return tbsStart; // SEQUENCE tag of the TBS: no longer parses
    case "tbsLastByte":
      return tbsStart + tbs.end - 1;
    // Certificate TBS: [0] version, serialNumber, signature, issuer, validity, subject, ...
    case "serial":
      return field(1);
    case "issuerName":
      return field(3);
    case "subjectName":
      return field(5);
  }
}

/**
 * Rewrites the `index`th certificate of a PEM text with one DER byte flipped, keeping every
 * line break where it was: the base64 has the same length, so the text does too.
 */
function withCertificateFlipped(pem: string, index: number, spot: DerSpot): string {
  const BEGIN = "-----BEGIN CERTIFICATE-----";
  const END = "-----END CERTIFICATE-----";
  let bodyStart = -1;
  for (let found = 0, from = 0; found <= index; found++) {
    bodyStart = pem.indexOf(BEGIN, from);
    if (bodyStart < 0) throw new Error(`PEM has no certificate ${index}`);
    bodyStart += BEGIN.length;
    from = bodyStart;
  }
  const bodyEnd = pem.indexOf(END, bodyStart);
  const body = pem.slice(bodyStart, bodyEnd);
  const der = new Uint8Array(Buffer.from(body.replace(/\s/g, ""), "base64"));
  const base64 = Buffer.from(flipped(der, derOffset(der, spot))).toString("base64");
  let next = 0;
  const rewritten = body.replace(/[^\s]/g, () => base64[next++]!);
  if (next !== base64.length) throw new Error("base64 length changed");
  return pem.slice(0, bodyStart) + rewritten + pem.slice(bodyEnd);
}

/** The quote with its embedded PCK chain rewritten in place (same length). */
function quoteWithChainCertificateFlipped(quote: Uint8Array, index: number, spot: DerSpot): Uint8Array {
  const { pckChain, end } = quoteFieldOffsets(quote);
  const text = Buffer.from(quote.subarray(pckChain, end)).toString("latin1");
  const copy = quote.slice();
  copy.set(Buffer.from(withCertificateFlipped(text, index, spot), "latin1"), pckChain);
  return copy;
}

/** Replaces one piece of the collateral and re-parses the signed texts, as loading a file would. */
function withPiece(collateral: Collateral, piece: Partial<Collateral>): Collateral {
  return assembleCollateral({ ...collateral, ...piece });
}

/** Changes the last digit of the first `"member":<number>` in a signed JSON text. */
function withDigitChanged(text: string, member: string): string {
  const match = new RegExp(`"${member}":(\\d+)`).exec(text);
  if (!match) throw new Error(`no numeric ${member} in the signed text`);
  const digitAt = match.index + match[0].length - 1;
  const digit = Number(text[digitAt]);
  const changed = text.slice(0, digitAt) + String((digit + 1) % 10) + text.slice(digitAt + 1);
  JSON.parse(changed); // still well-formed JSON
  return changed;
}

// ------------------------------------------------------------------ the cases

interface Case {
  name: string;
  code: AttestationErrorCode;
  quote?: (quote: Uint8Array) => Uint8Array;
  collateral?: (collateral: Collateral) => Collateral;
}

function quoteCases(quote: Uint8Array): Case[] {
  const offsets = quoteFieldOffsets(quote);
  const body = QUOTE_HEADER_SIZE;
  const quoteSignature = offsets.signatureDataLength + 4;
  const attestationKey = quoteSignature + 64;
  const qeReport = offsets.certificationDataType + 6;
  const qeReportSignature = qeReport + 384;
  const qeAuthData = offsets.qeAuthDataLength + 2;
  const qeAuthDataLength = offsets.innerCertificationDataType - qeAuthData;
  const at = (name: string, offset: number, code: AttestationErrorCode, mask = 0x01): Case => ({
    name,
    code,
    quote: (bytes) => flipped(bytes, offset, mask),
  });
  return [
    at("header version", QUOTE_HEADER.version.offset, "QUOTE_UNSUPPORTED_VERSION", 0xff),
    at("header user_data", QUOTE_HEADER.userData.offset + 5, "QUOTE_SIGNATURE_INVALID"),
    at("header qe_vendor_id", QUOTE_HEADER.qeVendorId.offset, "QUOTE_SIGNATURE_INVALID"),
    at("body tee_tcb_svn", body + TD_REPORT.teeTcbSvn.offset, "QUOTE_SIGNATURE_INVALID"),
    at("body mr_signer_seam", body + TD_REPORT.mrSignerSeam.offset, "QUOTE_SIGNATURE_INVALID"),
    at("body td_attributes DEBUG bit", body + TD_REPORT.tdAttributes.offset, "QUOTE_SIGNATURE_INVALID"),
    at("body mr_td", body + TD_REPORT.mrTd.offset + 47, "QUOTE_SIGNATURE_INVALID"),
    at("body rtmr0", body + TD_REPORT.rtmr0.offset + 10, "QUOTE_SIGNATURE_INVALID"),
    at("body rtmr3", body + TD_REPORT.rtmr3.offset, "QUOTE_SIGNATURE_INVALID"),
    at("body report_data", body + TD_REPORT.reportData.offset + 63, "QUOTE_SIGNATURE_INVALID"),
    at("quote signature r", quoteSignature, "QUOTE_SIGNATURE_INVALID"),
    at("quote signature s", quoteSignature + 63, "QUOTE_SIGNATURE_INVALID"),
    at("attestation key x", attestationKey, "QE_REPORT_DATA_MISMATCH"),
    at("attestation key y", attestationKey + 63, "QE_REPORT_DATA_MISMATCH"),
    at("QE report reserved byte", qeReport + 30, "QE_REPORT_SIGNATURE_INVALID"),
    at("QE report mr_enclave", qeReport + ENCLAVE_REPORT.mrEnclave.offset, "QE_REPORT_SIGNATURE_INVALID"),
    at("QE report isv_svn", qeReport + ENCLAVE_REPORT.isvSvn.offset, "QE_REPORT_SIGNATURE_INVALID"),
    at("QE report report_data", qeReport + ENCLAVE_REPORT.reportData.offset, "QE_REPORT_SIGNATURE_INVALID"),
    at("QE report signature r", qeReportSignature, "QE_REPORT_SIGNATURE_INVALID"),
    at("QE report signature s", qeReportSignature + 63, "QE_REPORT_SIGNATURE_INVALID"),
    at("QE auth data first byte", qeAuthData, "QE_REPORT_DATA_MISMATCH"),
    at("QE auth data last byte", qeAuthData + qeAuthDataLength - 1, "QE_REPORT_DATA_MISMATCH"),
    ...pckChainCases(),
  ];
}

/** The PCK chain in the quote: leaf (0), PCK Platform CA (1), Intel root (2). */
function pckChainCases(): Case[] {
  const chain = (name: string, index: number, spot: DerSpot, code: AttestationErrorCode): Case => ({
    name: `PCK chain ${name}: ${spot}`,
    code,
    quote: (bytes) => quoteWithChainCertificateFlipped(bytes, index, spot),
  });
  return [
    chain("leaf", 0, "signature", "CERT_SIGNATURE_INVALID"),
    chain("leaf", 0, "serial", "CERT_SIGNATURE_INVALID"),
    chain("leaf", 0, "issuerName", "CERT_CHAIN_INVALID"),
    chain("leaf", 0, "tbsTag", "CERT_MALFORMED"),
    chain("platform CA", 1, "signature", "CERT_SIGNATURE_INVALID"),
    chain("platform CA", 1, "serial", "CERT_SIGNATURE_INVALID"),
    chain("platform CA", 1, "subjectName", "CERT_CHAIN_INVALID"),
    chain("platform CA", 1, "tbsTag", "CERT_MALFORMED"),
    chain("root", 2, "signature", "CERT_UNTRUSTED_ROOT"),
    chain("root", 2, "serial", "CERT_UNTRUSTED_ROOT"),
  ];
}

function collateralCases(): Case[] {
  const signingChain = (
    field: "tcbInfoIssuerChainPem" | "qeIdentityIssuerChainPem",
    index: number,
    spot: DerSpot,
    code: AttestationErrorCode,
  ): Case => ({
    name: `${field} ${index === 0 ? "TCB Signing" : "root"}: ${spot}`,
    code,
    collateral: (collateral) => withPiece(collateral, { [field]: withCertificateFlipped(collateral[field], index, spot) }),
  });
  const crl = (field: "rootCaCrlDer" | "pckCrlDer", spot: DerSpot, code: AttestationErrorCode): Case => ({
    name: `${field}: ${spot}`,
    code,
    collateral: (collateral) => withPiece(collateral, { [field]: flipped(collateral[field], derOffset(collateral[field], spot)) }),
  });
  const text = (field: "tcbInfoText" | "qeIdentityText", member: string, code: AttestationErrorCode): Case => ({
    name: `${field}: one digit of ${member}`,
    code,
    collateral: (collateral) => withPiece(collateral, { [field]: withDigitChanged(collateral[field], member) }),
  });
  const signature = (field: "tcbInfoSignature" | "qeIdentitySignature", offset: number, code: AttestationErrorCode): Case => ({
    name: `${field} byte ${offset}`,
    code,
    collateral: (collateral) => withPiece(collateral, { [field]: flipped(collateral[field], offset) }),
  });
  return [
    ...(["tcbInfoIssuerChainPem", "qeIdentityIssuerChainPem"] as const).flatMap((field) => [
      signingChain(field, 0, "signature", "CERT_SIGNATURE_INVALID"),
      signingChain(field, 0, "serial", "CERT_SIGNATURE_INVALID"),
      signingChain(field, 0, "issuerName", "CERT_CHAIN_INVALID"),
      signingChain(field, 0, "tbsTag", "CERT_MALFORMED"),
      signingChain(field, 1, "signature", "CERT_UNTRUSTED_ROOT"),
      signingChain(field, 1, "serial", "CERT_UNTRUSTED_ROOT"),
    ]),
    crl("rootCaCrlDer", "signature", "CRL_SIGNATURE_INVALID"),
    crl("rootCaCrlDer", "tbsLastByte", "CRL_SIGNATURE_INVALID"),
    crl("pckCrlDer", "signature", "CRL_SIGNATURE_INVALID"),
    crl("pckCrlDer", "tbsLastByte", "CRL_SIGNATURE_INVALID"),
    text("tcbInfoText", "tcbEvaluationDataNumber", "TCB_INFO_SIGNATURE_INVALID"),
    text("tcbInfoText", "pcesvn", "TCB_INFO_SIGNATURE_INVALID"),
    text("qeIdentityText", "isvprodid", "QE_IDENTITY_SIGNATURE_INVALID"),
    text("qeIdentityText", "isvsvn", "QE_IDENTITY_SIGNATURE_INVALID"),
    signature("tcbInfoSignature", 0, "TCB_INFO_SIGNATURE_INVALID"),
    signature("tcbInfoSignature", 63, "TCB_INFO_SIGNATURE_INVALID"),
    signature("qeIdentitySignature", 0, "QE_IDENTITY_SIGNATURE_INVALID"),
    signature("qeIdentitySignature", 63, "QE_IDENTITY_SIGNATURE_INVALID"),
  ];
}

for (const name of ["S1", "S3"] as const) {
  const set = QUOTE_SETS[name];
  const quote = quoteOf(set);
  const collateral = collateralOf(set.collateralFile);
  // A cache warmed by the genuine quote must not vouch for any mutation of it.
  const warmCache = new QuoteVerifierCache();
  const run = (bytes: Uint8Array, withCollateral: Collateral, cache?: QuoteVerifierCache) =>
    verifyQuote({ quote: bytes, collateral: withCollateral, now: set.now, trustedRoots, ...(cache ? { cache } : {}) });

  describe(`${name}: one flipped byte in each signed region is refused, with a cold and a warm cache`, () => {
    it("control: the unmodified quote and collateral verify UpToDate", () => {
      expect(run(quote, collateral).status).toBe("UpToDate");
      expect(run(quote, collateral, warmCache).status).toBe("UpToDate");
    });

    for (const testCase of [...quoteCases(quote), ...collateralCases()]) {
      it(`${testCase.name} → ${testCase.code}`, () => {
        const mutatedQuote = testCase.quote ? testCase.quote(quote) : quote;
        const mutatedCollateral = testCase.collateral ? testCase.collateral(collateral) : collateral;
        expect(mutatedQuote !== quote || mutatedCollateral !== collateral).toBe(true);
        expectRefusal(() => run(mutatedQuote, mutatedCollateral), testCase.code);
        run(quote, collateral, warmCache);
        expectRefusal(() => run(mutatedQuote, mutatedCollateral, warmCache), testCase.code);
      });
    }
  });
}

describe("S7 (v5, TD 1.5): the TD 1.5 fields are signed too", () => {
  const set = QUOTE_SETS.S7;
  const quote = quoteOf(set);
  const collateral = collateralOf(set.collateralFile);
  // v5: header, 6-byte body descriptor, then the 648-byte TD report 1.5.
  const body = QUOTE_HEADER_SIZE + 6;

  it("control: verifies UpToDate", () => {
    expect(verifyQuote({ quote, collateral, now: set.now, trustedRoots }).status).toBe("UpToDate");
  });

  for (const [field, offset] of [
    ["tee_tcb_svn2", TD_REPORT.teeTcbSvn2.offset],
    ["mr_service_td", TD_REPORT.mrServiceTd.offset + 47],
  ] as const) {
    it(`${field} → QUOTE_SIGNATURE_INVALID (not a TD policy or TCB refusal)`, () => {
      expectRefusal(
        () => verifyQuote({ quote: flipped(quote, body + offset), collateral, now: set.now, trustedRoots }),
        "QUOTE_SIGNATURE_INVALID",
      );
    });
  }
});

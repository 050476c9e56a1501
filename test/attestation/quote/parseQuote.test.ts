import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { concatBytes, toHex } from "../../../core/bytes";
import { AttestationError, type AttestationErrorCode } from "../../../core/attestation/errors";
import { parseQuote } from "../../../core/attestation/quote/parseQuote";
import { INTEL_QE_VENDOR_ID_HEX } from "../../../core/attestation/quote/layout";
import { loadQuoteVector, loadQuoteVectorAsStored, readVectorJson, S6_TRAILING_NOTE } from "../../helpers/vectors";
import { EXPECTED_QUOTES } from "./expectedMeasurements";
import { quoteFieldOffsets, readU32, withU16, withU32 } from "./quoteMutations";

function expectRefusal(action: () => unknown, code: AttestationErrorCode): AttestationError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AttestationError);
    expect((error as AttestationError).code).toBe(code);
    return error as AttestationError;
  }
  throw new Error(`expected a refusal with ${code}, but nothing was thrown`);
}

const S1 = loadQuoteVector("S1"); // v4, TD 1.0, 70 zero bytes of padding after the quote
const S2 = loadQuoteVector("S2"); // v5, TD 1.5, no padding
const S8 = loadQuoteVector("S8"); // v4, zero-padded to 8000 bytes

describe("parseQuote on the real vectors", () => {
  for (const expected of EXPECTED_QUOTES) {
    it(`parses ${expected.set} (${expected.source}) to the README's measurements`, () => {
      const stored = loadQuoteVectorAsStored(expected.set);
      expect(stored.length).toBe(expected.bytes);
      expect(createHash("sha256").update(stored).digest("hex")).toBe(expected.sha256);

      const input = loadQuoteVector(expected.set);
      const quote = parseQuote(input);
      expect(quote.header.version).toBe(expected.version);
      expect(quote.header.attestationKeyType).toBe(expected.attKeyType);
      expect(quote.header.teeType).toBe(0x81);
      expect(toHex(quote.header.qeVendorId)).toBe(expected.qeVendorId);
      expect(quote.header.userData.length).toBe(20);
      expect(quote.bodyType).toBe(expected.bodyType);

      const body = quote.body;
      expect(body.kind).toBe(expected.body);
      expect(toHex(body.teeTcbSvn)).toBe(expected.teeTcbSvn);
      expect(toHex(body.mrSeam)).toBe(expected.mrSeam);
      expect(toHex(body.tdAttributes)).toBe(expected.tdAttributes);
      expect(toHex(body.xfam)).toBe(expected.xfam);
      expect(toHex(body.mrTd)).toBe(expected.mrTd);
      expect(toHex(body.mrConfigId)).toBe(expected.mrConfigId);
      expect(toHex(body.rtmr0)).toBe(expected.rtmr0);
      expect(toHex(body.rtmr1)).toBe(expected.rtmr1);
      expect(toHex(body.rtmr2)).toBe(expected.rtmr2);
      expect(toHex(body.rtmr3)).toBe(expected.rtmr3);
      expect(toHex(body.reportData)).toBe(expected.reportData);
      expect(body.teeTcbSvn2 && toHex(body.teeTcbSvn2)).toBe(expected.teeTcbSvn2);
      expect(body.mrServiceTd && toHex(body.mrServiceTd)).toBe(expected.mrServiceTd);
      for (const field of [body.mrSignerSeam, body.mrOwner, body.mrOwnerConfig]) expect(field.length).toBe(48);
      expect(body.seamAttributes.length).toBe(8);

      expect(quote.signedBytes.length).toBe(expected.signedLength);
      expect(toHex(quote.signedBytes)).toBe(toHex(input.subarray(0, expected.signedLength)));
      expect(quote.qeAuthData.length).toBe(expected.qeAuthDataLength);
      expect(quote.quoteSignature.length).toBe(64);
      expect(quote.attestationKey.length).toBe(64);
      expect(quote.qeReportBytes.length).toBe(384);
      expect(quote.qeReportSignature.length).toBe(64);
      expect(quote.qeReport.reportData.length).toBe(64);
      expect(quote.pckChainPem.startsWith("-----BEGIN CERTIFICATE-----\n")).toBe(true);
      expect(quote.pckChainPem.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
      expect(quote.pckChainPem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);

      const quoteLength = expected.quoteLength ?? quoteFieldOffsets(input).end;
      expect(quote.quoteBytes.length).toBe(quoteLength);
      expect(quote.quoteBytes.byteOffset).toBe(input.byteOffset);
    });
  }

  it("finds the S8 quote's end at byte 4935 inside its 8000-byte zero-padded buffer", () => {
    expect(S8.length).toBe(8000);
    const quote = parseQuote(S8);
    expect(quote.quoteBytes.length).toBe(4935);
    // The QE report matches S8's TD_QE identity (automata/qe_identity.json), field by field.
    const identity = readVectorJson<{ enclaveIdentity: { mrsigner: string; isvprodid: number } }>(
      "automata/qe_identity.json",
    ).enclaveIdentity;
    expect(toHex(quote.qeReport.mrSigner)).toBe(identity.mrsigner.toLowerCase());
    expect(quote.qeReport.isvProdId).toBe(identity.isvprodid);
    expect(quote.qeReport.miscSelect).toBe(0);
    expect(quote.qeReport.isvSvn).toBeGreaterThanOrEqual(4); // README: it matches the isvsvn-4 level
  });

  it("reads the same S3 quote from the JSON byte array and the binary file", () => {
    const json = readVectorJson<number[]>("near-mpc/quote.json");
    expect(toHex(parseQuote(Uint8Array.from(json)).quoteBytes)).toBe(toHex(parseQuote(loadQuoteVector("S3")).quoteBytes));
  });

  it("returns views that lie inside quoteBytes and alias the input (zero copy)", () => {
    const input = S1.slice();
    const quote = parseQuote(input);
    const end = quote.quoteBytes.byteOffset + quote.quoteBytes.length;
    for (const view of [quote.body.mrTd, quote.body.rtmr3, quote.qeAuthData, quote.qeReport.mrSigner, quote.signedBytes]) {
      expect(view.buffer).toBe(input.buffer);
      expect(view.byteOffset + view.length).toBeLessThanOrEqual(end);
    }
    const before = quote.body.mrTd[0]!;
    input[48 + 136]! ^= 0xff; // MRTD starts at offset 136 of the body, after the 48-byte header
    expect(quote.body.mrTd[0]).toBe(before ^ 0xff);
  });

  it("parses a v5 quote whose body descriptor announces a TD report 1.0", () => {
    // Re-pack S1 (v4) as v5: version 5, then descriptor (type 2, 584 bytes), then the same body.
    const header = withU16(S1.subarray(0, 48), 0, 5);
    const descriptor = new Uint8Array([2, 0, 0x48, 0x02, 0, 0]);
    const v5 = concatBytes(header, descriptor, S1.subarray(48));
    const quote = parseQuote(v5);
    expect(quote.header.version).toBe(5);
    expect(quote.bodyType).toBe(2);
    expect(quote.body.kind).toBe("td10");
    expect(quote.signedBytes.length).toBe(48 + 6 + 584);
    expect(toHex(quote.body.mrTd)).toBe(toHex(parseQuote(S1).body.mrTd));
  });

  it("drops the NUL terminator counted in the PCK chain size", () => {
    const offsets = quoteFieldOffsets(S1);
    expect(S1[offsets.end - 1]).toBe(0);
    expect(parseQuote(S1).pckChainPem.includes("\0")).toBe(false);
  });
});

describe("parseQuote refusals", () => {
  it("refuses a quote version other than 4 or 5", () => {
    for (const version of [0, 3, 6, 0xffff]) {
      expectRefusal(() => parseQuote(withU16(S1, 0, version)), "QUOTE_UNSUPPORTED_VERSION");
    }
  });

  it("refuses an attestation key type other than ECDSA P-256", () => {
    for (const keyType of [0, 1, 3]) {
      expectRefusal(() => parseQuote(withU16(S1, 2, keyType)), "QUOTE_UNSUPPORTED_ATTESTATION_KEY_TYPE");
    }
  });

  it("refuses a TEE type other than TDX (an SGX quote)", () => {
    expectRefusal(() => parseQuote(withU32(S1, 4, 0)), "QUOTE_UNSUPPORTED_TEE_TYPE");
    expectRefusal(() => parseQuote(withU32(S2, 4, 0x80)), "QUOTE_UNSUPPORTED_TEE_TYPE");
  });

  it("refuses a v5 body type that is not a TD report", () => {
    const offsets = quoteFieldOffsets(S2);
    for (const bodyType of [0, 1, 4]) {
      expectRefusal(() => parseQuote(withU16(S2, offsets.bodyType!, bodyType)), "QUOTE_UNSUPPORTED_BODY_TYPE");
    }
  });

  it("refuses a v5 body size that does not match its body type", () => {
    const offsets = quoteFieldOffsets(S2);
    expectRefusal(() => parseQuote(withU32(S2, offsets.bodySize!, 584)), "QUOTE_MALFORMED");
    expectRefusal(() => parseQuote(withU16(S2, offsets.bodyType!, 2)), "QUOTE_MALFORMED");
  });

  it("refuses certification data that is not a QE report (type 6)", () => {
    const offsets = quoteFieldOffsets(S1);
    for (const type of [1, 5, 7]) {
      expectRefusal(() => parseQuote(withU16(S1, offsets.certificationDataType, type)), "QUOTE_UNSUPPORTED_CERT_DATA_TYPE");
    }
  });

  it("refuses inner certification data that is not a PEM PCK chain (type 5)", () => {
    const offsets = quoteFieldOffsets(S2);
    for (const type of [1, 3, 6]) {
      expectRefusal(
        () => parseQuote(withU16(S2, offsets.innerCertificationDataType, type)),
        "QUOTE_UNSUPPORTED_CERT_DATA_TYPE",
      );
    }
  });

  it("refuses a quote truncated anywhere before its declared end", () => {
    for (const input of [S1, S2]) {
      const end = quoteFieldOffsets(input).end;
      for (const length of [0, 1, 2, 7, 47, 48, 53, 100, 631, 633, 636, 700, 1000, 1219, 1260, end - 1]) {
        expectRefusal(() => parseQuote(input.subarray(0, length)), "QUOTE_TRUNCATED");
      }
    }
  });

  it("refuses a signature data length larger than the bytes present", () => {
    const offsets = quoteFieldOffsets(S2);
    expectRefusal(() => parseQuote(withU32(S2, offsets.signatureDataLength, 0xffffffff)), "QUOTE_TRUNCATED");
  });

  it("refuses signature data whose declared length disagrees with its contents", () => {
    const offsets = quoteFieldOffsets(S1); // S1 has zero padding, so a longer length still fits the buffer
    const declared = readU32(S1, offsets.signatureDataLength);
    expectRefusal(() => parseQuote(withU32(S1, offsets.signatureDataLength, declared + 1)), "QUOTE_MALFORMED");
    expectRefusal(() => parseQuote(withU32(S1, offsets.signatureDataLength, declared - 1)), "QUOTE_MALFORMED");
    expectRefusal(() => parseQuote(withU32(S1, offsets.signatureDataLength, 100)), "QUOTE_MALFORMED");
  });

  it("refuses certification data whose declared size disagrees with its contents", () => {
    const offsets = quoteFieldOffsets(S1);
    const declared = readU32(S1, offsets.certificationDataSize);
    expectRefusal(() => parseQuote(withU32(S1, offsets.certificationDataSize, declared + 1)), "QUOTE_MALFORMED");
    expectRefusal(() => parseQuote(withU32(S1, offsets.certificationDataSize, declared - 1)), "QUOTE_MALFORMED");
  });

  it("refuses a QE auth data length that overruns its certification data", () => {
    const offsets = quoteFieldOffsets(S1);
    expectRefusal(() => parseQuote(withU16(S1, offsets.qeAuthDataLength, 0xffff)), "QUOTE_MALFORMED");
    // Exactly the rest of the certification data: nothing is left for the PCK chain header.
    const rest = readU32(S1, offsets.certificationDataSize) - 384 - 64 - 2;
    expectRefusal(() => parseQuote(withU16(S1, offsets.qeAuthDataLength, rest)), "QUOTE_MALFORMED");
  });

  it("refuses a PCK chain size that disagrees with the certification data size", () => {
    const offsets = quoteFieldOffsets(S1);
    const declared = readU32(S1, offsets.innerCertificationDataSize);
    expectRefusal(() => parseQuote(withU32(S1, offsets.innerCertificationDataSize, declared + 1)), "QUOTE_MALFORMED");
    expectRefusal(() => parseQuote(withU32(S1, offsets.innerCertificationDataSize, declared - 1)), "QUOTE_MALFORMED");
  });

  it("refuses non-zero bytes after the quote's declared end", () => {
    const padded = S8.slice();
    padded[7999] = 1;
    const error = expectRefusal(() => parseQuote(padded), "QUOTE_MALFORMED");
    expect(error.message).toContain("offset 7999");
    expectRefusal(() => parseQuote(concatBytes(S2, new Uint8Array([0, 0, 0x2a]))), "QUOTE_MALFORMED");
  });

  it("refuses the S6 file as stored, because go-tdx-guest appended a text note after the quote", () => {
    const stored = loadQuoteVectorAsStored("S6");
    expectRefusal(() => parseQuote(stored), "QUOTE_MALFORMED");
    expect(parseQuote(loadQuoteVector("S6")).quoteBytes.length).toBe(stored.length - S6_TRAILING_NOTE.length);
  });

  it("accepts zero bytes appended after a quote and leaves them out of quoteBytes", () => {
    const padded = concatBytes(S2, new Uint8Array(3000));
    expect(parseQuote(padded).quoteBytes.length).toBe(S2.length);
  });

  it("refuses a PCK chain holding a non-text byte", () => {
    const offsets = quoteFieldOffsets(S1);
    const mutated = S1.slice();
    mutated[offsets.pckChain + 10] = 0x80;
    expectRefusal(() => parseQuote(mutated), "QUOTE_MALFORMED");
  });

  it("refuses input that is not a Uint8Array", () => {
    expectRefusal(() => parseQuote("0400" as unknown as Uint8Array), "QUOTE_MALFORMED");
    expectRefusal(() => parseQuote(undefined as unknown as Uint8Array), "QUOTE_MALFORMED");
  });

  it("uses Intel's QE vendor id in every real vector", () => {
    for (const expected of EXPECTED_QUOTES) expect(expected.qeVendorId).toBe(INTEL_QE_VENDOR_ID_HEX);
  });
});

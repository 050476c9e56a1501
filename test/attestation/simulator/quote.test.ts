import { readFileSync } from "node:fs";
import { join } from "node:path";
import { X509Certificate, createHash, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Quote } from "@phala/dcap-qvl";
import { fromHex, toHex } from "../../../core/bytes";
import { createDevPki } from "../../../core/attestation/simulator/devPki";
import { SimulatorError } from "../../../core/attestation/simulator/errors";
import { buildQuote } from "../../../core/attestation/simulator/quote";
import { VECTORS, le16, le32, p256KeyFromRaw, splitV4Quote } from "./helpers";

const pki = createDevPki();
const reportData = Uint8Array.from({ length: 64 }, (_, index) => 0xa0 ^ index);
const fill = (byte: number, length = 48) => new Uint8Array(length).fill(byte);
const fields = {
  reportData,
  mrTd: fill(1),
  rtmr0: fill(2),
  rtmr1: fill(3),
  rtmr2: fill(4),
  rtmr3: fill(5),
  mrConfigId: fill(6),
  mrOwner: fill(7),
  mrOwnerConfig: fill(8),
};
const quote = buildQuote(pki, fields);
const parts = splitV4Quote(quote);
const realQuote = new Uint8Array(readFileSync(join(VECTORS, "dcap-qvl/tdx_quote")));
const realParts = splitV4Quote(realQuote);

function expectCode(run: () => unknown, code: string) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SimulatorError);
    expect((error as SimulatorError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe("buildQuote", () => {
  it("writes the v4 header a real TDX quote has: version 4, ECDSA-P256, TDX, Intel's QE vendor id", () => {
    expect(le16(quote, 0)).toBe(4);
    expect(le16(quote, 2)).toBe(2);
    expect(le32(quote, 4)).toBe(0x81);
    // Everything up to the user data equals the real quote's header byte for byte.
    expect(toHex(parts.header.subarray(0, 28))).toBe(toHex(realParts.header.subarray(0, 28)));
    expect(toHex(parts.header.subarray(12, 28))).toBe("939a7233f79c4ca9940a0db3957f0607");
    expect(toHex(parts.header.subarray(28))).toBe(toHex(pki.quoteHeaderUserData));
  });

  it("has the real quote's length arithmetic and certification data structure", () => {
    expect(quote.length).toBe(48 + 584 + 4 + parts.signatureDataLength);
    expect(parts.end).toBe(quote.length);
    expect(realParts.end).toBe(48 + 584 + 4 + realParts.signatureDataLength);
    expect(parts.signatureDataLength).toBe(64 + 64 + 6 + parts.certDataSize);
    expect(parts.certDataSize).toBe(384 + 64 + 2 + 32 + 6 + parts.innerSize);
    expect([parts.certDataType, parts.innerType, parts.qeAuthData.length]).toEqual([
      realParts.certDataType,
      realParts.innerType,
      realParts.qeAuthData.length,
    ]);
    expect(toHex(parts.qeAuthData)).toBe(toHex(realParts.qeAuthData));
  });

  it("lays out TD report 1.0 fields in Intel's order", () => {
    const body = parts.body;
    const at = (offset: number, length: number) => toHex(body.subarray(offset, offset + length));
    expect(at(0, 16)).toBe(toHex(pki.platform.teeTcbSvn));
    expect(at(16, 48)).toBe(toHex(pki.platform.mrSeam));
    expect(at(64, 48)).toBe("00".repeat(48));
    expect(at(112, 8)).toBe("0000000000000000");
    expect(at(120, 8)).toBe("0000001000000000");
    expect(at(128, 8)).toBe("e702060000000000");
    expect([136, 184, 232, 280, 328, 376, 424, 472].map((offset) => body[offset])).toEqual([1, 6, 7, 8, 2, 3, 4, 5]);
    expect(at(520, 64)).toBe(toHex(reportData));
  });

  it("agrees with @phala/dcap-qvl's parser on every TD report field", () => {
    const parsed = Quote.parse(quote);
    const td = parsed.report.asTd10()!;
    expect(parsed.header.version).toBe(4);
    expect(toHex(td.mrTd)).toBe(toHex(fields.mrTd));
    expect(toHex(td.rtMr3)).toBe(toHex(fields.rtmr3));
    expect(toHex(td.mrConfigId)).toBe(toHex(fields.mrConfigId));
    expect(toHex(td.reportData)).toBe(toHex(reportData));
    expect(parsed.signedLength()).toBe(632);
  });

  it("signs header ‖ body with the attestation key (raw r‖s)", () => {
    const key = p256KeyFromRaw(parts.attestationKey);
    const signature = { key, dsaEncoding: "ieee-p1363" as const };
    expect(verify("sha256", parts.signedBytes, signature, parts.quoteSignature)).toBe(true);
    const tampered = new Uint8Array(parts.signedBytes);
    tampered[48 + 136] = tampered[48 + 136]! ^ 1;
    expect(verify("sha256", tampered, signature, parts.quoteSignature)).toBe(false);
  });

  it("embeds the PCK chain (leaf, platform CA, root) and a QE report signed by the PCK leaf key", () => {
    const chainText = Buffer.from(parts.pckChain).toString("utf8");
    expect(chainText.endsWith("-----END CERTIFICATE-----\n\0")).toBe(true);
    const certificates = chainText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g)!;
    expect(certificates.map((pem) => new X509Certificate(pem).raw.toString("hex"))).toEqual(
      [pki.pckLeaf.der, pki.platformCa.der, pki.root.der].map((der) => toHex(der)),
    );
    const leaf = new X509Certificate(certificates[0]!);
    const signature = { key: leaf.publicKey, dsaEncoding: "ieee-p1363" as const };
    expect(verify("sha256", parts.qeReport, signature, parts.qeReportSignature)).toBe(true);
    const platformCa = new X509Certificate(certificates[1]!);
    expect(verify("sha256", parts.qeReport, { key: platformCa.publicKey, dsaEncoding: "ieee-p1363" }, parts.qeReportSignature)).toBe(false);
  });

  it("binds the attestation key in the QE report data: sha256(key ‖ auth data) ‖ 32 zero bytes", () => {
    const expected = createHash("sha256").update(parts.attestationKey).update(parts.qeAuthData).digest("hex");
    expect(toHex(parts.qeReport.subarray(320, 352))).toBe(expected);
    expect(toHex(parts.qeReport.subarray(352, 384))).toBe("00".repeat(32));
    expect(toHex(parts.attestationKey)).toBe(toHex(pki.attestationKey.publicKey.subarray(1)));
  });

  it("lays out the QE report as an SGX report body matching the simulated QE", () => {
    const report = parts.qeReport;
    const qe = pki.quotingEnclave;
    expect(toHex(report.subarray(0, 16))).toBe(toHex(qe.cpuSvn));
    expect(le32(report, 16)).toBe(qe.miscSelect);
    expect(toHex(report.subarray(48, 64))).toBe(toHex(qe.attributes));
    expect(toHex(report.subarray(64, 96))).toBe(toHex(qe.mrEnclave));
    expect(toHex(report.subarray(128, 160))).toBe(toHex(qe.mrSigner));
    expect([le16(report, 256), le16(report, 258)]).toEqual([qe.isvProdId, qe.isvSvn]);
    // Real QE report: same offsets (isvprodid 2 at 256 in Intel's quote too).
    expect(le16(realParts.qeReport, 256)).toBe(2);
  });

  it("is deterministic: equal inputs give byte-identical quotes", () => {
    expect(toHex(buildQuote(createDevPki(), fields))).toBe(toHex(quote));
    expect(toHex(buildQuote(pki, { ...fields, reportData: fill(9, 64) }))).not.toBe(toHex(quote));
  });

  it("writes a debug TD's attributes when asked, for negative tests", () => {
    const debug = buildQuote(pki, { ...fields, tdAttributes: fromHex("0100001000000000") });
    expect(toHex(splitV4Quote(debug).body.subarray(120, 128))).toBe("0100001000000000");
  });

  it("can omit the PEM chain's NUL terminator, as some real quotes do", () => {
    const plain = splitV4Quote(buildQuote(pki, { ...fields, pckChainNulTerminated: false }));
    expect(plain.innerSize).toBe(parts.innerSize - 1);
    expect(Buffer.from(plain.pckChain).toString("utf8")).toBe(pki.pckChainPem);
  });

  it("refuses report data that is not 64 bytes", () => {
    expectCode(() => buildQuote(pki, { reportData: new Uint8Array(32) }), "SIMULATOR_FIELD_LENGTH");
  });

  it("refuses a measurement that is not 48 bytes", () => {
    expectCode(() => buildQuote(pki, { reportData, rtmr3: new Uint8Array(32) }), "SIMULATOR_FIELD_LENGTH");
    expectCode(() => buildQuote(pki, { reportData, tdAttributes: new Uint8Array(4) }), "SIMULATOR_FIELD_LENGTH");
  });

  it("refuses a header SVN above 65535", () => {
    expectCode(() => buildQuote(pki, { reportData, qeSvn: 70_000 }), "SIMULATOR_VALUE_OUT_OF_RANGE");
  });
});

import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../core/bytes";
import { AttestationError } from "../../../core/attestation/errors";
import { decodeQuoteInput } from "../../../core/attestation/quote/decodeQuoteInput";
import { parseQuote } from "../../../core/attestation/quote/parseQuote";
import { loadQuoteVector, readVectorBytes, readVectorJson } from "../../helpers/vectors";

function expectMalformed(file: Uint8Array): void {
  let thrown: unknown;
  try {
    decodeQuoteInput(file);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe("QUOTE_MALFORMED");
}

const S1 = loadQuoteVector("S1");
const S2 = loadQuoteVector("S2");

describe("decodeQuoteInput", () => {
  it("passes a raw v4 or v5 quote through unchanged", () => {
    for (const quote of [S1, S2, loadQuoteVector("S8")]) {
      const decoded = decodeQuoteInput(quote);
      expect(decoded.format).toBe("binary");
      expect(decoded.quote).toBe(quote);
      expect(decoded.eventLog).toBeUndefined();
    }
  });

  it("decodes hex text with or without 0x, with surrounding and wrapped whitespace", () => {
    const hex = toHex(S2);
    const wrapped = hex.match(/.{1,60}/g)!.join("\n"); // xxd -p style
    for (const text of [hex, `0x${hex}`, `  ${hex.toUpperCase()}\n`, `${wrapped}\n`, `\uFEFF${hex}`]) {
      const decoded = decodeQuoteInput(utf8(text));
      expect(decoded.format).toBe("hex");
      expect(toHex(decoded.quote)).toBe(hex);
    }
  });

  it("decodes S3's JSON array of byte values to the same bytes as quote.bin", () => {
    const decoded = decodeQuoteInput(readVectorBytes("near-mpc/quote.json"));
    expect(decoded.format).toBe("json-byte-array");
    expect(toHex(decoded.quote)).toBe(toHex(readVectorBytes("near-mpc/quote.bin")));
  });

  it("reads the quote and the event log string from a dstack quote report (S4) and GetQuoteResponse (S5)", () => {
    for (const file of ["dstack/quote-report.json", "dstack/tdx-lite-getquote.json"]) {
      const json = readVectorJson<{ quote: string; event_log: string }>(file);
      const decoded = decodeQuoteInput(readVectorBytes(file));
      expect(decoded.format).toBe("json-object");
      expect(toHex(decoded.quote)).toBe(json.quote);
      expect(decoded.eventLog).toBe(json.event_log);
      expect(parseQuote(decoded.quote).header.version).toBe(4);
    }
  });

  it("keeps an event log given as an array, and accepts a byte-array quote field", () => {
    const eventLog = [{ imr: 3, event_type: 134217729, digest: "", event: "app-id", event_payload: "00" }];
    const text = JSON.stringify({ quote: Array.from(S1.subarray(0, 10)), event_log: eventLog });
    const decoded = decodeQuoteInput(utf8(text));
    expect(Array.from(decoded.quote)).toEqual(Array.from(S1.subarray(0, 10)));
    expect(decoded.eventLog).toEqual(eventLog);
  });

  it("hands a binary file with an unknown version to the parser, which names the problem", () => {
    const v3 = S1.slice();
    v3[0] = 3;
    const decoded = decodeQuoteInput(v3);
    expect(decoded.format).toBe("binary");
    expect(() => parseQuote(decoded.quote)).toThrowError(expect.objectContaining({ code: "QUOTE_UNSUPPORTED_VERSION" }));
  });

  it("refuses empty input, non-hex text, broken JSON and JSON without a quote", () => {
    expectMalformed(new Uint8Array());
    expectMalformed(utf8("   \n"));
    expectMalformed(utf8("0x"));
    expectMalformed(utf8("04000200zz"));
    expectMalformed(utf8("040"));
    expectMalformed(utf8("{\"quote\": \"0400\""));
    expectMalformed(utf8("{\"report\": \"0400\"}"));
    expectMalformed(utf8("{\"quote\": 1234}"));
    expectMalformed(utf8("{\"quote\": \"\"}"));
    expectMalformed(utf8("[]"));
    expectMalformed(utf8("[4, 0, 256]"));
    expectMalformed(utf8("[4, 0, -1]"));
    expectMalformed(utf8("[4, 0, 1.5]"));
    expectMalformed(utf8("[4, 0, \"2\"]"));
    expectMalformed(new Uint8Array([0xff, 0xfe, 0x80])); // not UTF-8, no NUL
  });

  it("refuses a non-Uint8Array argument", () => {
    expectMalformed("0400" as unknown as Uint8Array);
  });
});

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { AttestationError } from "../../core/attestation/errors";
import type { TdReport } from "../../core/attestation/types";
import { platformHash } from "../../core/attestation/platformHash";
import { parseQuote } from "../../core/attestation/quote/parseQuote";
import { loadQuoteVector, QUOTE_VECTOR_SETS } from "../helpers/vectors";
import { EXPECTED_QUOTES } from "./quote/expectedMeasurements";

describe("platformHash", () => {
  it("is SHA-256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2) of every real quote, from the README's hex", () => {
    for (const expected of EXPECTED_QUOTES) {
      const body = parseQuote(loadQuoteVector(expected.set)).body;
      const independent = createHash("sha256")
        .update(Buffer.from(expected.mrTd + expected.rtmr0 + expected.rtmr1 + expected.rtmr2, "hex"))
        .digest("hex");
      expect(toHex(platformHash(body))).toBe(independent);
    }
    expect(EXPECTED_QUOTES).toHaveLength(QUOTE_VECTOR_SETS.length);
  });

  it("does not depend on RTMR3 (the app's register)", () => {
    const body = parseQuote(loadQuoteVector("S4")).body;
    const otherApp: TdReport = { ...body, rtmr3: new Uint8Array(48) };
    expect(toHex(platformHash(otherApp))).toBe(toHex(platformHash(body)));
  });

  it("changes when any of MRTD, RTMR0, RTMR1 or RTMR2 changes", () => {
    const body = parseQuote(loadQuoteVector("S3")).body;
    const reference = toHex(platformHash(body));
    for (const field of ["mrTd", "rtmr0", "rtmr1", "rtmr2"] as const) {
      const changed = body[field].slice();
      changed[47]! ^= 1;
      expect(toHex(platformHash({ ...body, [field]: changed }))).not.toBe(reference);
    }
  });

  it("refuses measurements that are not 48 bytes", () => {
    const body = parseQuote(loadQuoteVector("S3")).body;
    expect(() => platformHash({ ...body, rtmr1: new Uint8Array(32) })).toThrowError(AttestationError);
    expect(() => platformHash({ ...body, mrTd: new Uint8Array(49) })).toThrowError(
      expect.objectContaining({ code: "QUOTE_MALFORMED" }),
    );
  });
});

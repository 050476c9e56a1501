import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttestationError, type AttestationErrorCode } from "../../../core/attestation/errors";
import { parseQuote } from "../../../core/attestation/quote/parseQuote";
import { loadQuoteVector, QUOTE_VECTOR_SETS } from "../../helpers/vectors";
import { PARSER_ERROR_CODES, quoteFieldOffsets } from "./quoteMutations";

/** Runs the parser; returns "ok", or the code of the AttestationError it threw. Anything else fails. */
function outcome(bytes: Uint8Array): "ok" | AttestationErrorCode {
  try {
    const quote = parseQuote(bytes);
    // Whatever parses must describe bytes that are really there.
    expect(quote.quoteBytes.length).toBeLessThanOrEqual(bytes.length);
    expect(quote.signedBytes.length).toBeLessThan(quote.quoteBytes.length);
    return "ok";
  } catch (error) {
    if (!(error instanceof AttestationError)) throw error;
    expect(PARSER_ERROR_CODES).toContain(error.code);
    return error.code;
  }
}

const quotes = new Map(
  QUOTE_VECTOR_SETS.map((set) => {
    const bytes = loadQuoteVector(set);
    return [set, { bytes, offsets: quoteFieldOffsets(bytes) }] as const;
  }),
);
/** A real quote, drawn by set name so counterexamples stay readable. */
const anyQuote = fc.constantFrom(...QUOTE_VECTOR_SETS).map((set) => quotes.get(set)!);

describe("parseQuote properties", () => {
  it("throws only AttestationError with a parser code on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6000 }), (bytes) => {
        outcome(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("throws only AttestationError on random bytes behind a valid TDX header prefix", () => {
    const prefixes = [
      [4, 0, 2, 0, 0x81, 0, 0, 0],
      [5, 0, 2, 0, 0x81, 0, 0, 0],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 6000 }), (prefix, rest) => {
        const bytes = new Uint8Array(prefix.length + rest.length);
        bytes.set(prefix);
        bytes.set(rest, prefix.length);
        outcome(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses every strict prefix of a real quote with QUOTE_TRUNCATED", () => {
    fc.assert(
      fc.property(anyQuote, fc.nat(), (quote, cut) => {
        const length = cut % quote.offsets.end;
        expect(outcome(quote.bytes.subarray(0, length))).toBe("QUOTE_TRUNCATED");
      }),
      { numRuns: 1000 },
    );
  });

  it("survives random values written into the length and type fields of a real quote", () => {
    /** Each field with its width in bytes. */
    const fields = {
      bodyType: 2,
      bodySize: 4,
      signatureDataLength: 4,
      certificationDataType: 2,
      certificationDataSize: 4,
      qeAuthDataLength: 2,
      innerCertificationDataType: 2,
      innerCertificationDataSize: 4,
    } as const;
    const fieldNames = Object.keys(fields) as (keyof typeof fields)[];
    fc.assert(
      fc.property(
        anyQuote,
        fc.constantFrom(...fieldNames),
        fc.nat({ max: 3 }),
        fc.integer({ min: 0, max: 255 }),
        (quote, field, byteIndex, value) => {
          const offset = quote.offsets[field];
          if (offset === undefined) return; // v4 quotes have no body descriptor
          const position = offset + (byteIndex % fields[field]);
          const mutated = quote.bytes.slice();
          const changed = mutated[position] !== value;
          mutated[position] = value;
          // Every type and length field is load-bearing: any change is refused.
          const result = outcome(mutated);
          if (changed) expect(result).not.toBe("ok");
          else expect(result).toBe("ok");
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("throws only AttestationError when random bytes of a real quote are flipped", () => {
    fc.assert(
      fc.property(
        anyQuote,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
        (quote, flips) => {
          const mutated = quote.bytes.slice();
          for (const [position, mask] of flips) mutated[position % mutated.length]! ^= mask;
          outcome(mutated);
        },
      ),
      { numRuns: 500 },
    );
  });
});

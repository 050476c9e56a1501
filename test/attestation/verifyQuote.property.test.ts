import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { AttestationError, type AttestationErrorCode } from "../../core/attestation/errors";
import { QuoteVerifierCache, verifyQuote } from "../../core/attestation/verifyQuote";
import { QUOTE_SETS, collateralOf, intelRootDer, quoteOf } from "../helpers/quoteSets";
import { quoteFieldOffsets } from "./quote/quoteMutations";

/**
 * Fuzzing the whole verifier with real quotes and collateral (fast-check, bounded runs):
 * hostile bytes only ever produce `AttestationError` (never a TypeError, RangeError or a
 * success), and a flipped byte inside a quote is accepted only when it changes nothing
 * that is signed or bound.
 *
 * Which bytes of a quote no signature covers? Header and body: the quote signature. The
 * attestation key and QE auth data: bound by SHA-256 in the QE report data. The QE report:
 * the PCK signature. The declared lengths and types (signature data length, certification
 * data type and size, QE auth data length, inner type and size): structural; any change
 * breaks the parse or shifts a signed field. That leaves the PEM text of the PCK chain:
 * the certificates inside are signed, but the text around them is not. A flip there may
 * turn a line break into another whitespace, the trailing NUL into whitespace, or change
 * only the unused low bits of a base64 padding group. Those flips leave every certificate
 * byte-identical, and they are the only flips that may verify.
 */

const trustedRoots = [intelRootDer()];
const cache = new QuoteVerifierCache();

interface Subject {
  name: "S1" | "S7" | "S8";
  quote: Uint8Array;
  /** Declared end of the quote; S1 and S8 carry zero padding after it. */
  end: number;
  pckChain: number;
  run: (bytes: Uint8Array) => ReturnType<typeof verifyQuote>;
  baseline: ReturnType<typeof summary>;
}

/** S1 (v4, 70 bytes of padding), S7 (v5, TD 1.5) and S8 (v4, padded to 8000 bytes). */
const subjects: Subject[] = (["S1", "S7", "S8"] as const).map((name) => {
  const set = QUOTE_SETS[name];
  const quote = quoteOf(set);
  const collateral = collateralOf(set.collateralFile);
  const run = (bytes: Uint8Array) => verifyQuote({ quote: bytes, collateral, now: set.now, trustedRoots, cache });
  const { end, pckChain } = quoteFieldOffsets(quote);
  return { name, quote, end, pckChain, run, baseline: summary(run(quote)) };
});
const anySubject = fc.constantFrom(...subjects);

function summary(result: ReturnType<typeof verifyQuote>) {
  return { status: result.status, advisoryIds: result.advisoryIds, signed: toHex(result.quote.signedBytes), platformHash: toHex(result.platformHash) };
}

/** Runs the verifier: the summary on success, the code of an AttestationError; anything else fails the property. */
function outcome(run: () => ReturnType<typeof verifyQuote>): ReturnType<typeof summary> | AttestationErrorCode {
  try {
    return summary(run());
  } catch (error) {
    if (error instanceof AttestationError) return error.code;
    throw error;
  }
}

/**
 * The DER certificates a PEM text encodes, decoded strictly and independently of the
 * verifier: standard base64 alphabet only, whitespace ignored. Undefined when a block is
 * not clean base64 (then the flip changed something that matters).
 */
function certificatesIn(text: string): string[] | undefined {
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  const decoded: string[] = [];
  for (const block of blocks) {
    const base64 = block[1]!.replace(/\s/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) return undefined;
    decoded.push(Buffer.from(base64, "base64").toString("hex"));
  }
  return decoded;
}

function chainText(subject: Subject, quote: Uint8Array): string {
  return Buffer.from(quote.subarray(subject.pckChain, subject.end)).toString("latin1");
}

function flipped(bytes: Uint8Array, offset: number, mask: number): Uint8Array {
  const copy = bytes.slice();
  copy[offset] = copy[offset]! ^ mask;
  return copy;
}

describe("verifyQuote under fuzzing", () => {
  it("control: each subject verifies as its README set says", () => {
    expect(subjects.map((subject) => [subject.name, subject.baseline.status])).toEqual([
      ["S1", "UpToDate"],
      ["S7", "UpToDate"],
      ["S8", "OutOfDate"],
    ]);
  });

  it("refuses random bytes with AttestationError only", () => {
    const [s1] = subjects;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 6000 }), (bytes) => {
        expect(typeof outcome(() => s1!.run(bytes))).toBe("string");
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a real quote's prefix followed by random bytes with AttestationError only", () => {
    fc.assert(
      fc.property(anySubject, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 600 }), (subject, cut, tail) => {
        const prefix = subject.quote.subarray(0, cut % subject.end);
        const bytes = new Uint8Array(prefix.length + tail.length);
        bytes.set(prefix);
        bytes.set(tail, prefix.length);
        const result = outcome(() => subject.run(bytes));
        // Success would need the random tail to reproduce the rest of the quote exactly.
        if (typeof result !== "string") expect(toHex(bytes.subarray(0, subject.end))).toBe(toHex(subject.quote.subarray(0, subject.end)));
      }),
      { numRuns: 200 },
    );
  });

  it("refuses every truncation before the declared end, and accepts cutting only zero padding", () => {
    fc.assert(
      fc.property(anySubject, fc.nat(), (subject, cut) => {
        const length = cut % subject.quote.length;
        const result = outcome(() => subject.run(subject.quote.slice(0, length)));
        if (length < subject.end) expect(typeof result).toBe("string");
        else expect(result).toEqual(subject.baseline);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a flipped byte anywhere, except an encoding-only change to the PCK chain's PEM text", () => {
    fc.assert(
      fc.property(anySubject, fc.nat(), fc.integer({ min: 1, max: 255 }), (subject, position, mask) => {
        const offset = position % subject.quote.length;
        const mutated = flipped(subject.quote, offset, mask);
        const result = outcome(() => subject.run(mutated));
        if (offset >= subject.end) {
          expect(result).toBe("QUOTE_MALFORMED"); // non-zero bytes after the quote
        } else if (typeof result !== "string") {
          expect(offset).toBeGreaterThanOrEqual(subject.pckChain);
          expect(certificatesIn(chainText(subject, mutated))).toEqual(certificatesIn(chainText(subject, subject.quote)));
          expect(result).toEqual(subject.baseline);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a flip of the lowest or highest bit of every byte before the PCK chain (exhaustive, S1)", () => {
    const s1 = subjects[0]!;
    const accepted: string[] = [];
    for (let offset = 0; offset < s1.pckChain; offset++) {
      for (const mask of [0x01, 0x80]) {
        if (typeof outcome(() => s1.run(flipped(s1.quote, offset, mask))) !== "string") accepted.push(`${offset}^${mask}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  it("accepts the encoding-only flips: a line break turned into a space, the trailing NUL into a line break", () => {
    const s1 = subjects[0]!;
    const text = chainText(s1, s1.quote);
    const lineBreak = s1.pckChain + text.indexOf("\n");
    expect(outcome(() => s1.run(flipped(s1.quote, lineBreak, 0x0a ^ 0x20)))).toEqual(s1.baseline);
    const nul = s1.pckChain + text.lastIndexOf("\u0000");
    expect(text.lastIndexOf("\u0000")).toBeGreaterThan(0);
    expect(outcome(() => s1.run(flipped(s1.quote, nul, 0x0a)))).toEqual(s1.baseline);
  });
});

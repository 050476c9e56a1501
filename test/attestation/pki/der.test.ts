import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttestationError } from "../../../core/attestation/errors";
import { DER_TAG, DerReader, contextTag, readSingle } from "../../../core/attestation/pki/der";
import { readVectorBytes } from "../../helpers/pkiVectors";

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const reader = (...values: number[]): DerReader => new DerReader(bytes(...values), "CERT_MALFORMED");

function expectCode(action: () => unknown, code: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AttestationError);
    expect((error as AttestationError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, but nothing was thrown`);
}

describe("DerReader lengths", () => {
  it("reads short and long definite lengths", () => {
    expect(reader(0x04, 0x02, 0xaa, 0xbb).octetString("x")).toEqual(bytes(0xaa, 0xbb));
    const long = new Uint8Array(3 + 200);
    long.set([0x04, 0x81, 200]);
    expect(new DerReader(long, "CERT_MALFORMED").octetString("x").length).toBe(200);
  });

  it("returns the whole encoding and the contents of an element", () => {
    const element = reader(0x30, 0x03, 0x02, 0x01, 0x05).next("x");
    expect(element.tag).toBe(0x30);
    expect(element.encoded).toEqual(bytes(0x30, 0x03, 0x02, 0x01, 0x05));
    expect(element.value).toEqual(bytes(0x02, 0x01, 0x05));
  });

  it("refuses indefinite lengths", () => expectCode(() => reader(0x30, 0x80, 0x00, 0x00).next("x"), "CERT_MALFORMED"));
  it("refuses a long-form length with a leading zero byte", () =>
    expectCode(() => reader(0x04, 0x82, 0x00, 0x81, ...new Array(0x81).fill(0)).next("x"), "CERT_MALFORMED"));
  it("refuses the long form for a length below 128", () => expectCode(() => reader(0x04, 0x81, 0x01, 0xaa).next("x"), "CERT_MALFORMED"));
  it("refuses lengths of more than four octets", () => expectCode(() => reader(0x04, 0x85, 1, 0, 0, 0, 0).next("x"), "CERT_MALFORMED"));
  it("refuses a length that runs past the end", () => expectCode(() => reader(0x04, 0x05, 0xaa).next("x"), "CERT_MALFORMED"));
  it("refuses a truncated long-form length", () => expectCode(() => reader(0x04, 0x82, 0x01).next("x"), "CERT_MALFORMED"));
  it("refuses a missing length", () => expectCode(() => reader(0x04).next("x"), "CERT_MALFORMED"));
  it("refuses reading at the end", () => expectCode(() => reader().next("x"), "CERT_MALFORMED"));
  it("refuses multi-byte (high-number) tags", () => expectCode(() => reader(0x1f, 0x81, 0x01, 0x00).next("x"), "CERT_MALFORMED"));
  it("refuses trailing bytes where the structure must end", () => {
    expectCode(() => readSingle(bytes(0x05, 0x00, 0x00), DER_TAG.NULL, "CRL_MALFORMED", "x"), "CRL_MALFORMED");
  });
  it("never reads past an inner element into its parent", () => {
    // SEQUENCE of length 2 holding an OCTET STRING that claims 3 bytes; the parent has more bytes.
    const outer = reader(0x30, 0x02, 0x04, 0x03, 0xaa, 0xbb, 0xcc);
    const inner = outer.sequence("outer");
    expectCode(() => inner.octetString("inner"), "CERT_MALFORMED");
  });
  it("uses the code chosen by the caller", () => {
    expectCode(() => new DerReader(bytes(0x30), "PCK_EXTENSION_MALFORMED").next("x"), "PCK_EXTENSION_MALFORMED");
  });
  it("refuses an unexpected tag", () => expectCode(() => reader(0x04, 0x00).expect(DER_TAG.INTEGER, "x"), "CERT_MALFORMED"));
  it("reads optional and context-tagged elements only when present", () => {
    const r = reader(0xa0, 0x03, 0x02, 0x01, 0x02, 0x05, 0x00);
    expect(r.optional(contextTag(3, true), "x")).toBeUndefined();
    expect(r.enter(contextTag(0, true), "version").smallInteger("v", 2)).toBe(2);
    expect(r.peekTag()).toBe(DER_TAG.NULL);
  });
});

describe("DerReader INTEGER", () => {
  it("reads positive, zero and negative integers", () => {
    expect(reader(0x02, 0x01, 0x00).integerBigInt("x")).toBe(0n);
    expect(reader(0x02, 0x02, 0x00, 0x80).integerBigInt("x")).toBe(128n);
    expect(reader(0x02, 0x01, 0xff).integerBigInt("x")).toBe(-1n);
    expect(reader(0x02, 0x02, 0xff, 0x7f).integerBigInt("x")).toBe(-129n);
  });
  it("refuses a non-minimal positive integer", () => expectCode(() => reader(0x02, 0x02, 0x00, 0x7f).integerBytes("x"), "CERT_MALFORMED"));
  it("refuses a non-minimal negative integer", () => expectCode(() => reader(0x02, 0x02, 0xff, 0x80).integerBytes("x"), "CERT_MALFORMED"));
  it("refuses an empty integer", () => expectCode(() => reader(0x02, 0x00).integerBytes("x"), "CERT_MALFORMED"));
  it("refuses a small integer above its maximum or negative", () => {
    expectCode(() => reader(0x02, 0x02, 0x01, 0x00).smallInteger("x", 255), "CERT_MALFORMED");
    expectCode(() => reader(0x02, 0x01, 0x80).smallInteger("x", 255), "CERT_MALFORMED");
    expect(reader(0x02, 0x02, 0x00, 0xff).smallInteger("x", 255)).toBe(255);
  });
  it("reads ENUMERATED with integer rules", () => {
    expect(reader(0x0a, 0x01, 0x01).enumerated("x", 2)).toBe(1);
    expectCode(() => reader(0x0a, 0x02, 0x00, 0x01).enumerated("x", 2), "CERT_MALFORMED");
  });
});

describe("DerReader OID, BOOLEAN, BIT STRING and time", () => {
  it("decodes OIDs to dotted strings", () => {
    expect(reader(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02).oid("x")).toBe("1.2.840.10045.4.3.2");
    expect(reader(0x06, 0x03, 0x55, 0x1d, 0x13).oid("x")).toBe("2.5.29.19");
    expect(reader(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01).oid("x")).toBe("1.2.840.113741.1.13.1");
    expect(reader(0x06, 0x02, 0x88, 0x37).oid("x")).toBe("2.999");
  });
  it("refuses a non-minimal OID arc", () => expectCode(() => reader(0x06, 0x03, 0x2a, 0x80, 0x01).oid("x"), "CERT_MALFORMED"));
  it("refuses a truncated OID", () => expectCode(() => reader(0x06, 0x02, 0x2a, 0x86).oid("x"), "CERT_MALFORMED"));
  it("refuses an empty OID", () => expectCode(() => reader(0x06, 0x00).oid("x"), "CERT_MALFORMED"));
  it("refuses an OID arc too large to represent exactly", () =>
    expectCode(() => reader(0x06, 0x0a, 0x2a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f).oid("x"), "CERT_MALFORMED"));

  it("accepts only 0x00 and 0xff as BOOLEAN", () => {
    expect(reader(0x01, 0x01, 0xff).boolean("x")).toBe(true);
    expect(reader(0x01, 0x01, 0x00).boolean("x")).toBe(false);
    expectCode(() => reader(0x01, 0x01, 0x01).boolean("x"), "CERT_MALFORMED");
    expectCode(() => reader(0x01, 0x02, 0xff, 0xff).boolean("x"), "CERT_MALFORMED");
  });

  it("reads BIT STRINGs and refuses non-zero unused bits", () => {
    expect(reader(0x03, 0x02, 0x06, 0xc0).bitString("x")).toEqual({ unusedBits: 6, bytes: bytes(0xc0) });
    expectCode(() => reader(0x03, 0x02, 0x06, 0xc1).bitString("x"), "CERT_MALFORMED");
    expectCode(() => reader(0x03, 0x02, 0x08, 0x00).bitString("x"), "CERT_MALFORMED");
    expectCode(() => reader(0x03, 0x00).bitString("x"), "CERT_MALFORMED");
    expectCode(() => reader(0x03, 0x01, 0x01).bitString("x"), "CERT_MALFORMED");
    expectCode(() => reader(0x03, 0x02, 0x01, 0x02).octetAlignedBitString("x"), "CERT_MALFORMED");
  });

  it("reads UTCTime and GeneralizedTime as unix seconds", () => {
    const utc = Buffer.from("250206232551Z", "ascii");
    expect(new DerReader(Uint8Array.from([0x17, utc.length, ...utc]), "CERT_MALFORMED").time("t")).toBe(
      Date.UTC(2025, 1, 6, 23, 25, 51) / 1000,
    );
    const generalized = Buffer.from("20491231235959Z", "ascii");
    expect(new DerReader(Uint8Array.from([0x18, generalized.length, ...generalized]), "CERT_MALFORMED").time("t")).toBe(
      Date.UTC(2049, 11, 31, 23, 59, 59) / 1000,
    );
  });
  it("refuses a time with another tag or a bad encoding", () => {
    expectCode(() => reader(0x04, 0x00).time("t"), "CERT_MALFORMED");
    const local = Buffer.from("250206232551", "ascii");
    expectCode(() => new DerReader(Uint8Array.from([0x17, local.length, ...local]), "CRL_MALFORMED").time("t"), "CRL_MALFORMED");
  });
});

describe("DerReader on hostile input", () => {
  const certificate = readVectorBytes("automata/platform.der");

  /** Walks every element recursively, using every typed reader on primitive ones. */
  function walk(data: Uint8Array, depth = 0): void {
    const r = new DerReader(data, "CERT_MALFORMED");
    while (!r.done) {
      const element = r.next("x");
      if (depth < 8 && (element.tag & 0x20) !== 0) walk(element.value, depth + 1);
      const single = (): DerReader => new DerReader(element.encoded, "CERT_MALFORMED");
      for (const read of [
        (x: DerReader) => x.integerBigInt("x"),
        (x: DerReader) => x.smallInteger("x", 2 ** 40),
        (x: DerReader) => x.oid("x"),
        (x: DerReader) => x.boolean("x"),
        (x: DerReader) => x.bitString("x"),
        (x: DerReader) => x.time("x"),
        (x: DerReader) => x.enumerated("x", 9),
      ]) {
        try {
          read(single());
        } catch (error) {
          if (!(error instanceof AttestationError)) throw error;
        }
      }
    }
  }

  const onlyTypedErrors = (data: Uint8Array): void => {
    try {
      walk(data);
    } catch (error) {
      expect(error).toBeInstanceOf(AttestationError);
      expect((error as AttestationError).code).toBe("CERT_MALFORMED");
    }
  };

  it("throws only AttestationError on random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 96 }), onlyTypedErrors), { numRuns: 2000 });
  });

  it("throws only AttestationError on truncated and mutated real certificates", () => {
    fc.assert(
      fc.property(fc.nat(certificate.length), fc.nat(certificate.length - 1), fc.integer({ min: 1, max: 255 }), (cut, at, xor) => {
        const mutated = certificate.slice(0, cut);
        if (at < mutated.length) mutated[at] = (mutated[at] as number) ^ xor;
        onlyTypedErrors(mutated);
      }),
      { numRuns: 400 },
    );
  });
});

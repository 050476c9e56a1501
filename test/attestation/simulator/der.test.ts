import { describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import {
  derBitString,
  derBoolean,
  derEnumerated,
  derExplicit,
  derGeneralizedTime,
  derImplicit,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derPrintableString,
  derSequence,
  derSet,
  derTime,
  derUtcTime,
  derUtf8String,
} from "../../../core/attestation/simulator/der";
import { SimulatorError } from "../../../core/attestation/simulator/errors";

const hex = (bytes: Uint8Array) => toHex(bytes);
const seconds = (iso: string) => Date.parse(iso) / 1000;

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

describe("der writer", () => {
  it("encodes INTEGER in minimal positive form, adding 0x00 only when the top bit is set", () => {
    expect(hex(derInteger(0))).toBe("020100");
    expect(hex(derInteger(127))).toBe("02017f");
    expect(hex(derInteger(128))).toBe("02020080");
    expect(hex(derInteger(256))).toBe("02020100");
    expect(hex(derInteger(Uint8Array.of(0, 0, 0x12)))).toBe("020112");
    expect(hex(derInteger(Uint8Array.of(0x95, 0x6f)))).toBe("020300956f");
    expect(hex(derInteger(2n ** 64n))).toBe("0209010000000000000000");
  });

  it("refuses a negative INTEGER", () => {
    expectCode(() => derInteger(-1), "SIMULATOR_VALUE_OUT_OF_RANGE");
  });

  it("encodes OIDs with base-128 arcs (ecdsa-with-SHA256, Intel's SGX extension)", () => {
    expect(hex(derOid("1.2.840.10045.4.3.2"))).toBe("06082a8648ce3d040302");
    expect(hex(derOid("1.2.840.113741.1.13.1"))).toBe("06092a864886f84d010d01");
    expect(hex(derOid("2.5.29.35"))).toBe("0603551d23");
  });

  it("refuses a malformed OID", () => {
    expectCode(() => derOid("1.2..3"), "SIMULATOR_ENCODING_INVALID");
    expectCode(() => derOid("1.40"), "SIMULATOR_ENCODING_INVALID");
  });

  it("uses long-form lengths from 128 bytes", () => {
    expect(hex(derOctetString(new Uint8Array(127))).slice(0, 4)).toBe("047f");
    expect(hex(derOctetString(new Uint8Array(128))).slice(0, 6)).toBe("048180");
    expect(hex(derOctetString(new Uint8Array(300))).slice(0, 8)).toBe("0482012c");
  });

  it("writes UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280 4.1.2.5)", () => {
    expect(hex(derTime(seconds("2049-12-31T23:59:59Z")))).toBe(hex(derUtcTime(seconds("2049-12-31T23:59:59Z"))));
    expect(Buffer.from(derTime(seconds("2049-12-31T23:59:59Z")).subarray(2)).toString()).toBe("491231235959Z");
    expect(derTime(seconds("2050-01-01T00:00:00Z"))[0]).toBe(0x18);
    expect(Buffer.from(derGeneralizedTime(seconds("2050-01-01T00:00:00Z")).subarray(2)).toString()).toBe("20500101000000Z");
    expect(Buffer.from(derTime(seconds("2018-05-21T10:45:10Z")).subarray(2)).toString()).toBe("180521104510Z");
  });

  it("refuses a UTCTime outside 1950-2049 and a fractional time", () => {
    expectCode(() => derUtcTime(seconds("2050-01-01T00:00:00Z")), "SIMULATOR_VALUE_OUT_OF_RANGE");
    expectCode(() => derTime(1.5), "SIMULATOR_VALUE_OUT_OF_RANGE");
  });

  it("sorts SET OF members by their encodings", () => {
    const a = derUtf8String("b");
    const b = derUtf8String("a");
    expect(hex(derSet(a, b))).toBe(`3106${hex(b)}${hex(a)}`);
  });

  it("encodes strings, BOOLEAN, NULL, ENUMERATED and BIT STRING as X.509 expects", () => {
    expect(hex(derPrintableString("US"))).toBe("13025553");
    expect(hex(derUtf8String("CA"))).toBe("0c024341");
    expect(hex(derBoolean(true))).toBe("0101ff");
    expect(hex(derBoolean(false))).toBe("010100");
    expect(hex(derNull())).toBe("0500");
    expect(hex(derEnumerated(1))).toBe("0a0101");
    expect(hex(derBitString(Uint8Array.of(0x06), 1))).toBe("03020106");
  });

  it("refuses characters a PrintableString cannot hold", () => {
    expectCode(() => derPrintableString("a_b"), "SIMULATOR_ENCODING_INVALID");
  });

  it("refuses a BIT STRING with more than 7 unused bits", () => {
    expectCode(() => derBitString(Uint8Array.of(1), 8), "SIMULATOR_VALUE_OUT_OF_RANGE");
  });

  it("tags explicitly (constructed wrapper) and implicitly (retag, keeping the constructed bit)", () => {
    expect(hex(derExplicit(0, derInteger(2)))).toBe("a003020102");
    expect(hex(derImplicit(0, derOctetString(Uint8Array.of(0xab))))).toBe("8001ab");
    expect(hex(derImplicit(0, derSequence(derNull())))).toBe("a0020500");
    expectCode(() => derExplicit(31, derNull()), "SIMULATOR_VALUE_OUT_OF_RANGE");
  });
});

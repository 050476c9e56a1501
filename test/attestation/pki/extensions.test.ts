import { describe, expect, it } from "vitest";
import { AttestationError } from "../../../core/attestation/errors";
import { DerReader } from "../../../core/attestation/pki/der";
import { parseBasicConstraints, parseKeyUsage, readExtensions } from "../../../core/attestation/pki/extensions";
import { bitString, bool, extension, integer, octets, oid, seq } from "./syntheticPki";

const context = (): DerReader => new DerReader(new Uint8Array(0), "CERT_MALFORMED");

function expectMalformed(action: () => unknown): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe("CERT_MALFORMED");
}

describe("readExtensions", () => {
  const read = (der: Uint8Array) => readExtensions(new DerReader(der, "CERT_MALFORMED"), "extensions");

  it("reads OIDs, criticality and values in order", () => {
    const list = read(seq(extension("2.5.29.19", seq(), true), extension("2.5.29.14", octets(Uint8Array.of(1)))));
    expect(list.map((entry) => [entry.oid, entry.critical])).toEqual([["2.5.29.19", true], ["2.5.29.14", false]]);
    expect(list[1]?.value).toEqual(Uint8Array.of(0x04, 0x01, 0x01));
  });
  it("refuses an empty list", () => expectMalformed(() => read(seq())));
  it("refuses an explicit critical FALSE (DEFAULT must be omitted in DER)", () =>
    expectMalformed(() => read(seq(seq(oid("2.5.29.14"), bool(false), octets(seq()))))));
  it("refuses a duplicate extension", () =>
    expectMalformed(() => read(seq(extension("2.5.29.14", seq()), extension("2.5.29.14", seq())))));
  it("refuses an extension with extra fields", () =>
    expectMalformed(() => read(seq(seq(oid("2.5.29.14"), octets(seq()), integer(1))))));
});

describe("parseBasicConstraints", () => {
  it("reads cA and pathLen", () => {
    expect(parseBasicConstraints(seq(bool(true), integer(1)), context())).toEqual({ ca: true, pathLength: 1 });
    expect(parseBasicConstraints(seq(bool(true)), context())).toEqual({ ca: true, pathLength: undefined });
    expect(parseBasicConstraints(seq(), context())).toEqual({ ca: false, pathLength: undefined });
  });
  it("refuses an explicit cA FALSE", () => expectMalformed(() => parseBasicConstraints(seq(bool(false)), context())));
  it("refuses pathLen without cA", () => expectMalformed(() => parseBasicConstraints(seq(integer(0)), context())));
  it("refuses trailing data", () => expectMalformed(() => parseBasicConstraints(Uint8Array.from([...seq(), 0]), context())));
});

describe("parseKeyUsage", () => {
  it("reads Intel's CA usage (keyCertSign, cRLSign) and leaf usage (digitalSignature, nonRepudiation)", () => {
    const ca = parseKeyUsage(bitString(Uint8Array.of(0x06), 1), context());
    expect(ca.keyCertSign && ca.cRLSign && !ca.digitalSignature).toBe(true);
    const leaf = parseKeyUsage(bitString(Uint8Array.of(0xc0), 6), context());
    expect(leaf.digitalSignature && leaf.nonRepudiation && !leaf.keyCertSign).toBe(true);
  });
  it("reads decipherOnly from the second byte", () => {
    expect(parseKeyUsage(bitString(Uint8Array.of(0x00, 0x80), 7), context()).decipherOnly).toBe(true);
  });
  it("refuses a keyUsage that is not a BIT STRING", () => expectMalformed(() => parseKeyUsage(octets(Uint8Array.of(6)), context())));
});

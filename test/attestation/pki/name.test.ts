import { describe, expect, it } from "vitest";
import { AttestationError } from "../../../core/attestation/errors";
import { DerReader } from "../../../core/attestation/pki/der";
import { readName } from "../../../core/attestation/pki/name";
import { name, oid, seq, set, tlv, utf8String } from "./syntheticPki";

const read = (der: Uint8Array) => readName(new DerReader(der, "CRL_MALFORMED"), "issuer");

function expectMalformed(action: () => unknown): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe("CRL_MALFORMED");
}

describe("readName", () => {
  it("keeps the exact DER and reads the common name", () => {
    const der = name("Intel SGX Root CA");
    expect(read(der)).toEqual({ encoded: der, commonName: "Intel SGX Root CA" });
  });
  it("reads a PrintableString common name and leaves it undefined when absent", () => {
    expect(read(seq(set(seq(oid("2.5.4.3"), tlv(0x13, Buffer.from("CA")))))).commonName).toBe("CA");
    expect(read(seq(set(seq(oid("2.5.4.6"), tlv(0x13, Buffer.from("US")))))).commonName).toBeUndefined();
    expect(read(seq()).commonName).toBeUndefined();
  });
  it("refuses an empty RDN", () => expectMalformed(() => read(seq(set()))));
  it("refuses an attribute without a value or with extra fields", () => {
    expectMalformed(() => read(seq(set(seq(oid("2.5.4.3"))))));
    expectMalformed(() => read(seq(set(seq(oid("2.5.4.3"), utf8String("a"), utf8String("b"))))));
  });
  it("refuses a common name that is not valid UTF-8", () =>
    expectMalformed(() => read(seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Uint8Array.of(0xc3, 0x28))))))));
});

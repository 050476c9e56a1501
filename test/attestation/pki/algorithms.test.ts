import { describe, expect, it } from "vitest";
import { AttestationError } from "../../../core/attestation/errors";
import {
  readEcdsaSha256Algorithm,
  readEcdsaSignatureValue,
  readP256SubjectPublicKeyInfo,
} from "../../../core/attestation/pki/algorithms";
import { DerReader } from "../../../core/attestation/pki/der";
import { ECDSA_SHA256, bitString, newKey, oid, seq, tlv } from "./syntheticPki";

const reader = (der: Uint8Array): DerReader => new DerReader(der, "CERT_MALFORMED");

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

const int = (...bytes: number[]): Uint8Array => tlv(0x02, Uint8Array.from(bytes));
const signatureValue = (r: Uint8Array, s: Uint8Array): Uint8Array => bitString(seq(r, s));
const n32 = new Array(32).fill(0x11);

describe("readEcdsaSha256Algorithm", () => {
  it("accepts ecdsa-with-SHA256 without parameters", () =>
    expect(readEcdsaSha256Algorithm(reader(ECDSA_SHA256), "alg").oid).toBe("1.2.840.10045.4.3.2"));
  it("refuses ecdsa-with-SHA384", () => expectMalformed(() => readEcdsaSha256Algorithm(reader(seq(oid("1.2.840.10045.4.3.3"))), "alg")));
  it("refuses sha256WithRSAEncryption", () => expectMalformed(() => readEcdsaSha256Algorithm(reader(seq(oid("1.2.840.113549.1.1.11"))), "alg")));
});

describe("readP256SubjectPublicKeyInfo", () => {
  const key = newKey().publicKey;
  const spki = (keyType: string, curve: string, point: Uint8Array) => seq(seq(oid(keyType), oid(curve)), bitString(point));

  it("reads an uncompressed P-256 point", () =>
    expect(readP256SubjectPublicKeyInfo(reader(spki("1.2.840.10045.2.1", "1.2.840.10045.3.1.7", key)), "spki").publicKey).toEqual(key));
  it("refuses another curve", () =>
    expectMalformed(() => readP256SubjectPublicKeyInfo(reader(spki("1.2.840.10045.2.1", "1.3.132.0.34", key)), "spki")));
  it("refuses another key type", () =>
    expectMalformed(() => readP256SubjectPublicKeyInfo(reader(spki("1.2.840.113549.1.1.1", "1.2.840.10045.3.1.7", key)), "spki")));
  it("refuses a compressed point", () => {
    const compressed = Uint8Array.from([0x02, ...key.subarray(1, 33)]);
    expectMalformed(() => readP256SubjectPublicKeyInfo(reader(spki("1.2.840.10045.2.1", "1.2.840.10045.3.1.7", compressed)), "spki"));
  });
});

describe("readEcdsaSignatureValue", () => {
  it("accepts 32-byte r and s, with a sign byte when the top bit is set", () => {
    const value = signatureValue(int(0x00, 0x80, ...n32.slice(1)), int(...n32));
    expect(readEcdsaSignatureValue(reader(value), "sig")[0]).toBe(0x30);
  });
  it("refuses a negative r", () => expectMalformed(() => readEcdsaSignatureValue(reader(signatureValue(int(0x80), int(1))), "sig")));
  it("refuses a zero s", () => expectMalformed(() => readEcdsaSignatureValue(reader(signatureValue(int(1), int(0))), "sig")));
  it("refuses an r longer than 32 bytes", () =>
    expectMalformed(() => readEcdsaSignatureValue(reader(signatureValue(int(0x01, ...n32), int(1))), "sig")));
  it("refuses a third integer", () =>
    expectMalformed(() => readEcdsaSignatureValue(reader(bitString(seq(int(1), int(1), int(1)))), "sig")));
  it("refuses bytes after the signature SEQUENCE", () =>
    expectMalformed(() => readEcdsaSignatureValue(reader(bitString(Uint8Array.from([...seq(int(1), int(1)), 0]))), "sig")));
});

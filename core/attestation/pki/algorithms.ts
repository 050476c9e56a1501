import { DER_TAG, DerReader } from "./der";

/**
 * The only algorithms Intel's SGX/TDX PKI uses, and the only ones we accept:
 * ecdsa-with-SHA256 signatures (RFC 5758 §3.2, parameters absent) and P-256 public keys
 * (RFC 5480, id-ecPublicKey with the prime256v1 named curve, uncompressed point).
 */
export const OID_ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
export const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
export const OID_PRIME256V1 = "1.2.840.10045.3.1.7";

/** Reads an AlgorithmIdentifier and requires ecdsa-with-SHA256 with absent parameters. */
export function readEcdsaSha256Algorithm(reader: DerReader, what: string): { oid: string; encoded: Uint8Array } {
  const element = reader.expect(DER_TAG.SEQUENCE, what);
  const inner = new DerReader(element.value, reader.code);
  const oid = inner.oid(`${what} algorithm`);
  if (oid !== OID_ECDSA_WITH_SHA256) reader.fail(`${what}: unsupported signature algorithm ${oid}`);
  inner.end(`${what} (parameters must be absent)`);
  return { oid, encoded: element.encoded };
}

export interface P256SubjectPublicKeyInfo {
  /** The whole SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  /** 65 bytes: 0x04 ‖ x ‖ y. */
  publicKey: Uint8Array;
}

/** Reads a SubjectPublicKeyInfo and requires an uncompressed P-256 point. */
export function readP256SubjectPublicKeyInfo(reader: DerReader, what: string): P256SubjectPublicKeyInfo {
  const element = reader.expect(DER_TAG.SEQUENCE, what);
  const inner = new DerReader(element.value, reader.code);
  const algorithm = inner.sequence(`${what} algorithm`);
  const keyType = algorithm.oid(`${what} key type`);
  if (keyType !== OID_EC_PUBLIC_KEY) reader.fail(`${what}: unsupported key type ${keyType}`);
  const curve = algorithm.oid(`${what} curve`);
  if (curve !== OID_PRIME256V1) reader.fail(`${what}: unsupported curve ${curve}`);
  algorithm.end(`${what} algorithm`);
  const publicKey = inner.octetAlignedBitString(`${what} key`);
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) {
    reader.fail(`${what}: public key must be an uncompressed P-256 point`);
  }
  inner.end(what);
  return { spki: element.encoded, publicKey };
}

/**
 * Reads the signatureValue BIT STRING and checks it holds a DER Ecdsa-Sig-Value
 * (SEQUENCE { r INTEGER, s INTEGER }) with positive r and s of at most 32 bytes of magnitude.
 * Returns the DER signature as node:crypto expects it.
 */
export function readEcdsaSignatureValue(reader: DerReader, what: string): Uint8Array {
  const signature = reader.octetAlignedBitString(what);
  const outer = new DerReader(signature, reader.code);
  const sequence = outer.sequence(what);
  outer.end(what);
  for (const part of ["r", "s"]) {
    const value = sequence.integerBytes(`${what} ${part}`);
    if ((value[0] as number) & 0x80) reader.fail(`${what}: negative ${part}`);
    const magnitude = value[0] === 0 ? value.length - 1 : value.length;
    if (magnitude > 32 || (value.length === 1 && value[0] === 0)) reader.fail(`${what}: ${part} out of range`);
  }
  sequence.end(what);
  return signature;
}

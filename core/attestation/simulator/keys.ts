import { p256 } from "@noble/curves/nist.js";
import { mapHashToField } from "@noble/curves/abstract/modular.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "../../bytes";

/**
 * Keys and identifiers of the development PKI, all derived from one seed string so the
 * whole PKI (and every quote it signs, thanks to RFC 6979) is reproducible byte for byte.
 * These keys are public by construction: anyone with the seed can sign as the dev CA.
 * That is why only a `sandbox` KMS may trust the dev root.
 */

const HKDF_SALT = utf8("basekms/dev-pki/hkdf/v1");

export interface DevKeyPair {
  /** 32-byte P-256 scalar. */
  privateKey: Uint8Array;
  /** 65-byte uncompressed SEC1 point (0x04 ‖ x ‖ y), as it sits in a SubjectPublicKeyInfo. */
  publicKey: Uint8Array;
}

/** HKDF-SHA256(seed, label) bytes, for any value the PKI derives from its seed. */
export function deriveBytes(seed: string, label: string, length: number): Uint8Array {
  return hkdf(sha256, utf8(seed), HKDF_SALT, utf8(`basekms/dev-pki/${label}`), length);
}

/** A P-256 key pair: 48 HKDF bytes reduced into [1, n-1] (FIPS 186-5 A.4.1 style). */
export function deriveKeyPair(seed: string, label: string): DevKeyPair {
  const curveOrder = p256.Point.CURVE().n;
  const privateKey = mapHashToField(deriveBytes(seed, `key/${label}`, 48), curveOrder);
  return { privateKey, publicKey: p256.getPublicKey(privateKey, false) };
}

/**
 * A 20-byte positive certificate serial (RFC 5280 allows up to 20 octets). The top byte is
 * kept in 0x40..0x7f so the DER INTEGER is always exactly 20 content bytes.
 */
export function deriveSerial(seed: string, label: string): Uint8Array {
  const serial = deriveBytes(seed, `serial/${label}`, 20);
  serial[0] = 0x40 | ((serial[0] ?? 0) & 0x3f);
  return serial;
}

/** RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
export function subjectKeyIdentifier(publicKey: Uint8Array): Uint8Array {
  return sha1(publicKey);
}

/** ECDSA-SHA256 signature in DER (X.509 signatureValue). Deterministic (RFC 6979). */
export function signDer(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  return p256.sign(message, privateKey, { format: "der" });
}

/** ECDSA-SHA256 signature as raw 64-byte r‖s (quotes, TCB Info, QE Identity). */
export function signRaw(privateKey: Uint8Array, message: Uint8Array): Uint8Array {
  return p256.sign(message, privateKey, { format: "compact" });
}

/** The 64-byte raw x‖y form of a key, as a quote carries its attestation key. */
export function rawPublicKey(keyPair: DevKeyPair): Uint8Array {
  return keyPair.publicKey.slice(1);
}

import { createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";

/**
 * ECDSA P-256 / SHA-256 verification through node:crypto (OpenSSL), shared by the whole
 * verifier: certificates and CRLs carry DER signatures, while quotes, QE reports, TCB Info and
 * QE Identity carry raw r‖s (IEEE P1363, 64 bytes).
 */
export type EcdsaSignatureEncoding = "der" | "ieee-p1363";

/** DER SubjectPublicKeyInfo prefix for id-ecPublicKey + prime256v1 and a 65-byte BIT STRING. */
const P256_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
  0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
]);

/**
 * Turning key bytes into a KeyObject costs about as much as a verification, and the same few
 * Intel keys sign everything, so KeyObjects are memoised by key bytes. The memo is bounded
 * (cleared when full) so hostile quotes with fresh attestation keys cannot grow it.
 */
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map<string, KeyObject | null>();

/**
 * A P-256 public key as a KeyObject, from 65 bytes (0x04 ‖ x ‖ y) or 64 bytes (x ‖ y, as in
 * quotes). Returns undefined when the bytes are not a point on the curve.
 */
export function p256PublicKey(rawPublicKey: Uint8Array): KeyObject | undefined {
  const uncompressed = toUncompressedPoint(rawPublicKey);
  if (!uncompressed) return undefined;
  const cacheKey = Buffer.from(uncompressed).toString("latin1");
  const cached = keyCache.get(cacheKey);
  if (cached !== undefined) return cached ?? undefined;
  let key: KeyObject | null;
  try {
    const spki = Buffer.concat([P256_SPKI_PREFIX, uncompressed]);
    key = createPublicKey({ key: spki, format: "der", type: "spki" });
  } catch {
    key = null;
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(cacheKey, key);
  return key ?? undefined;
}

/**
 * True when `signature` is a valid ECDSA-SHA256 signature over `data` by the P-256 key.
 * Never throws: a key that is not on the curve or a signature that does not decode is simply
 * not a valid signature. Callers map `false` to their own error code.
 */
export function verifyP256(
  publicKey: Uint8Array | KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
  encoding: EcdsaSignatureEncoding,
): boolean {
  const key = publicKey instanceof Uint8Array ? p256PublicKey(publicKey) : publicKey;
  if (!key) return false;
  if (encoding === "ieee-p1363" && signature.length !== 64) return false;
  try {
    return cryptoVerify("sha256", data, { key, dsaEncoding: encoding }, signature);
  } catch {
    return false;
  }
}

function toUncompressedPoint(rawPublicKey: Uint8Array): Uint8Array | undefined {
  if (rawPublicKey.length === 65 && rawPublicKey[0] === 0x04) return rawPublicKey;
  if (rawPublicKey.length === 64) {
    const point = new Uint8Array(65);
    point[0] = 0x04;
    point.set(rawPublicKey, 1);
    return point;
  }
  return undefined;
}

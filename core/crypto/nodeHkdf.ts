import { createHmac } from "node:crypto";
import { DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";

/**
 * `@hpke/core`'s HKDF-SHA256 with its three RFC 5869 primitives (Extract, Expand, and both)
 * computed by OpenSSL through node:crypto, synchronously, instead of WebCrypto.
 *
 * Everything HPKE-specific stays `@hpke/core`'s: the suite id, `LabeledExtract` /
 * `LabeledExpand` and their "HPKE-v1" framing, the KEM, the key schedule and the AEAD. Only the
 * HMAC-SHA256 engine underneath changes. Why: each WebCrypto call is an asynchronous round
 * trip through Node's thread pool, and one seal makes about ten of them (0.84 ms of CPU a seal,
 * the largest cost of a key release). test/crypto/nodeHkdf.test.ts checks the RFC 5869 vectors,
 * and test/crypto/hpke.test.ts checks RFC 9180 A.2.1 and interoperability with the stock suite.
 */
export class NodeHkdfSha256 extends HkdfSha256 {
  override async extract(salt: ArrayBuffer, ikm: ArrayBuffer): Promise<ArrayBuffer> {
    if (salt.byteLength !== 0 && salt.byteLength !== this.hashSize) throw new Error("The salt length must be the same as the hashSize");
    return toArrayBuffer(hkdfSha256Extract(new Uint8Array(salt), new Uint8Array(ikm)));
  }

  override async expand(prk: ArrayBuffer, info: ArrayBuffer, len: number): Promise<ArrayBuffer> {
    return toArrayBuffer(hkdfSha256Expand(new Uint8Array(prk), new Uint8Array(info), len));
  }

  override async extractAndExpand(salt: ArrayBuffer, ikm: ArrayBuffer, info: ArrayBuffer, len: number): Promise<ArrayBuffer> {
    return toArrayBuffer(hkdfSha256(new Uint8Array(ikm), new Uint8Array(salt), new Uint8Array(info), len));
  }
}

const SHA256_SIZE = 32;

/** RFC 5869 §2.2 HKDF-Extract with HMAC-SHA256 (OpenSSL); an empty salt is 32 zero bytes. */
export function hkdfSha256Extract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return createHmac("sha256", salt.length === 0 ? new Uint8Array(SHA256_SIZE) : salt)
    .update(ikm)
    .digest();
}

/** RFC 5869 §2.3 HKDF-Expand with HMAC-SHA256 (OpenSSL), `length` up to 255 blocks. */
export function hkdfSha256Expand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0 || length > 255 * SHA256_SIZE) throw new Error("Entropy limit reached");
  const okm = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  for (let counter = 1, filled = 0; filled < length; counter += 1) {
    previous = createHmac("sha256", prk).update(previous).update(info).update(Uint8Array.of(counter)).digest();
    const take = Math.min(previous.length, length - filled);
    okm.set(previous.subarray(0, take), filled);
    filled += take;
  }
  return okm;
}

/**
 * RFC 5869 HKDF-SHA256, Extract then Expand, on node:crypto's HMAC: the same bytes as
 * `hkdfSync("sha256", …)` (test/crypto/nodeHkdf.test.ts checks both against the RFC's
 * vectors) at about half its cost, which matters on the per-release path.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const prk = hkdfSha256Extract(salt, ikm);
  try {
    return hkdfSha256Expand(prk, info, length);
  } finally {
    prk.fill(0);
  }
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * `@hpke/core`'s DHKEM(X25519, HKDF-SHA256) using `NodeHkdfSha256` for its own KDF. The KEM
 * builds its KDF internally and offers no parameter for it, so the instance is swapped in; if a
 * future `@hpke/core` stores it elsewhere, this throws at start-up instead of silently keeping
 * the slow path or half-swapping.
 */
export function dhkemX25519WithNodeHkdf(): DhkemX25519HkdfSha256 {
  const kem = new DhkemX25519HkdfSha256();
  // The KEM's KDF is the base class of HkdfSha256, initialised with the KEM's suite id.
  const HkdfSha256Native = Object.getPrototypeOf(HkdfSha256) as typeof HkdfSha256;
  const internals = kem as unknown as { _kdf?: { _suiteId?: unknown }; _prim?: { _hkdf?: unknown } };
  const original = internals._kdf;
  if (!(original instanceof HkdfSha256Native) || !(original._suiteId instanceof Uint8Array) || internals._prim?._hkdf !== original) {
    throw new Error("@hpke/core's DhkemX25519HkdfSha256 changed shape: cannot give it the node:crypto HKDF");
  }
  const kdf = new NodeHkdfSha256();
  kdf.init(original._suiteId);
  internals._kdf = kdf as unknown as { _suiteId?: unknown };
  internals._prim._hkdf = kdf;
  return kem;
}

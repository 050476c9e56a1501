import { createHmac, hkdfSync } from "node:crypto";
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
    const saltBytes = salt.byteLength === 0 ? new Uint8Array(this.hashSize) : new Uint8Array(salt);
    if (saltBytes.byteLength !== this.hashSize) throw new Error("The salt length must be the same as the hashSize");
    return toArrayBuffer(createHmac("sha256", saltBytes).update(new Uint8Array(ikm)).digest());
  }

  override async expand(prk: ArrayBuffer, info: ArrayBuffer, len: number): Promise<ArrayBuffer> {
    if (len > 255 * this.hashSize) throw new Error("Entropy limit reached");
    const key = new Uint8Array(prk);
    const infoBytes = new Uint8Array(info);
    const okm = new Uint8Array(len);
    let previous: Uint8Array = new Uint8Array(0);
    for (let counter = 1, filled = 0; filled < len; counter += 1) {
      previous = createHmac("sha256", key).update(previous).update(infoBytes).update(Uint8Array.of(counter)).digest();
      const take = Math.min(previous.length, len - filled);
      okm.set(previous.subarray(0, take), filled);
      filled += take;
    }
    return okm.buffer;
  }

  override async extractAndExpand(salt: ArrayBuffer, ikm: ArrayBuffer, info: ArrayBuffer, len: number): Promise<ArrayBuffer> {
    return hkdfSync("sha256", new Uint8Array(ikm), new Uint8Array(salt), new Uint8Array(info), len);
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

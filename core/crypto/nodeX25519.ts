import { type KeyObject, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync } from "node:crypto";
import type { DhkemX25519HkdfSha256 } from "@hpke/core";
import { dhkemX25519WithNodeHkdf } from "./nodeHkdf";

/**
 * The X25519 operations of `@hpke/core`'s DHKEM(X25519, HKDF-SHA256) for the *sender* (the
 * KMS sealing a key), computed by OpenSSL through node:crypto synchronously instead of
 * WebCrypto. The KEM's encapsulation, the key schedule and the AEAD stay `@hpke/core`'s; only
 * the four curve operations an encapsulation needs change engine (OpenSSL either way):
 * generate the ephemeral pair, serialise a public key, read the recipient's public key, and
 * the Diffie-Hellman itself.
 *
 * Why: WebCrypto runs each of those as an asynchronous job on libuv's thread pool and reads
 * raw keys through OpenSSL's slow DER decoders; one seal cost about 470 µs of CPU, the largest
 * single cost of a key release. Here keys travel as JWK (`x`, `d`), which node:crypto builds
 * straight from raw bytes: about 100 µs for the whole encapsulation.
 *
 * Keys are node `KeyObject`s, so this KEM only seals: the opening side (an agent, a joining
 * KMS) keeps the stock WebCrypto KEM, and `decap` / private-key serialisation throw here. A
 * Diffie-Hellman with a low-order point (an all-zero shared secret) is refused by OpenSSL and
 * surfaces as `@hpke/core`'s `EncapError`, as with the stock KEM.
 */
const X25519_KEY_LENGTH = 32;

function raw(value: ArrayBuffer | Uint8Array): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array(value);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function publicKeyFromRaw(bytes: Uint8Array): KeyObject {
  if (bytes.length !== X25519_KEY_LENGTH) throw new Error("Invalid public key for the ciphersuite");
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(bytes).toString("base64url") }, format: "jwk" });
}

function rawPublicKey(key: KeyObject): ArrayBuffer {
  if (key.type !== "public" || key.asymmetricKeyType !== "x25519") throw new Error("not an X25519 public key");
  const x = key.export({ format: "jwk" }).x;
  const bytes = typeof x === "string" ? Buffer.from(x, "base64url") : undefined;
  if (bytes?.length !== X25519_KEY_LENGTH) throw new Error("X25519 public key did not export 32 bytes");
  return toArrayBuffer(bytes);
}

/** The sender's half of `@hpke/core`'s X25519 primitive (the object DHKEM keeps as `_prim`). */
interface LabeledHkdf {
  labeledExtract(salt: ArrayBuffer, label: Uint8Array, ikm: Uint8Array): Promise<ArrayBuffer>;
  labeledExpand(prk: ArrayBuffer, label: Uint8Array, info: Uint8Array, len: number): Promise<ArrayBuffer>;
}

/** RFC 8410 PKCS#8 wrapping of a raw X25519 private key: this prefix, then the 32 bytes. */
const PKCS8_X25519_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");
const LABEL_DKP_PRK = new TextEncoder().encode("dkp_prk");
const LABEL_SK = new TextEncoder().encode("sk");

function sealOnly(): never {
  throw new Error("this X25519 KEM only seals; open with the WebCrypto KEM");
}

export class NodeX25519Sender {
  constructor(readonly _hkdf: LabeledHkdf) {}

  async generateKeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
    return generateKeyPairSync("x25519");
  }

  /**
   * RFC 9180 §7.1.3 DeriveKeyPair: only reached when a test passes a fixed `ekm` (the RFC's
   * deterministic vectors); real seals use `generateKeyPair`.
   */
  async deriveKeyPair(ikm: ArrayBuffer): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
    const prk = await this._hkdf.labeledExtract(new ArrayBuffer(0), LABEL_DKP_PRK, new Uint8Array(ikm));
    const secret = new Uint8Array(await this._hkdf.labeledExpand(prk, LABEL_SK, new Uint8Array(0), X25519_KEY_LENGTH));
    const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, secret]), format: "der", type: "pkcs8" });
    secret.fill(0);
    return { publicKey: createPublicKey(privateKey), privateKey };
  }

  async serializePublicKey(key: KeyObject): Promise<ArrayBuffer> {
    return rawPublicKey(key);
  }

  async deserializePublicKey(key: ArrayBuffer | Uint8Array): Promise<KeyObject> {
    return publicKeyFromRaw(raw(key));
  }

  async dh(privateKey: KeyObject, publicKey: KeyObject): Promise<ArrayBuffer> {
    return toArrayBuffer(diffieHellman({ privateKey, publicKey }));
  }

  async derivePublicKey(privateKey: KeyObject): Promise<KeyObject> {
    return createPublicKey(privateKey);
  }

  serializePrivateKey = sealOnly;
  deserializePrivateKey = sealOnly;
  importKey = sealOnly;
}

/**
 * `dhkemX25519WithNodeHkdf()` with `NodeX25519Sender` as its X25519 primitive: a KEM for
 * `CipherSuite.seal` only. The primitive is swapped in the same checked way as the KDF; if a
 * future `@hpke/core` no longer routes the KEM's curve operations through `_prim`, this throws
 * at start-up.
 */
export function sealingDhkemX25519(): DhkemX25519HkdfSha256 {
  const kem = dhkemX25519WithNodeHkdf();
  const internals = kem as unknown as { _prim?: Record<string, unknown> & { _hkdf?: LabeledHkdf } };
  const prim = internals._prim;
  const routed = ["generateKeyPair", "deriveKeyPair", "serializePublicKey", "deserializePublicKey", "dh", "derivePublicKey"];
  if (!prim?._hkdf || !routed.every((name) => typeof prim[name] === "function")) {
    throw new Error("@hpke/core's DhkemX25519HkdfSha256 changed shape: cannot give it the node:crypto X25519");
  }
  internals._prim = new NodeX25519Sender(prim._hkdf) as unknown as Record<string, unknown>;
  return kem;
}

import { type KeyObject, createPrivateKey, createPublicKey, diffieHellman, randomBytes } from "node:crypto";
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
 * single cost of a key release. Here keys are imported as JWK (`x`, `d`), which node:crypto
 * builds straight from raw bytes: about 200 µs of CPU for a whole seal.
 *
 * Keys are node `KeyObject`s (public ones wrapped as `X25519PublicKey`), so this KEM only
 * seals: the opening side (an agent, a joining KMS) keeps the stock WebCrypto KEM, and
 * `decap` / private-key serialisation throw here. A
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

/**
 * A public key as its 32 raw bytes, turned into a node:crypto KeyObject only when a
 * Diffie-Hellman needs it: the ephemeral public key is only ever serialised, so it never
 * pays for an import, and serialising never calls into node:crypto.
 */
export class X25519PublicKey {
  #keyObject: KeyObject | undefined;
  constructor(readonly raw: Uint8Array) {
    if (raw.length !== X25519_KEY_LENGTH) throw new Error("Invalid public key for the ciphersuite");
  }

  get keyObject(): KeyObject {
    this.#keyObject ??= createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(this.raw).toString("base64url") }, format: "jwk" });
    return this.#keyObject;
  }
}

function publicKeyFromRaw(bytes: Uint8Array): X25519PublicKey {
  return new X25519PublicKey(bytes.slice());
}

/**
 * An X25519 private key from its 32 raw bytes (RFC 7748: any 32 bytes; the curve clamps).
 * node:crypto's JWK import requires an `x` member but derives the public key from `d`, so an
 * empty `x` is passed (test/crypto/nodeX25519.test.ts checks the derived public key against
 * RFC 7748). The base64url copy of `d` is a JS string that cannot be zeroed; it dies with the
 * next garbage collection, like the WebCrypto path's internal copies.
 */
function privateKeyFromRaw(secret: Uint8Array): KeyObject {
  return createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: Buffer.from(secret).toString("base64url"), x: "" }, format: "jwk" });
}

/**
 * The public key of a private key, as node:crypto computed it when the key was imported: its
 * JWK `x`. Exporting is safe here because the key was imported, never generated: the Node 20
 * deadlock of `generateKeyPair` needs a key-generation job that shares the exported key's
 * lock, and imported keys have none. (A Diffie-Hellman with the base point 9 would compute the
 * same 32 bytes again, at the cost of a second scalar multiplication.)
 */
function publicKeyOf(privateKey: KeyObject): X25519PublicKey {
  return new X25519PublicKey(new Uint8Array(rawPublicKey(createPublicKey(privateKey))));
}

/** The raw X25519 public key of a raw 32-byte private key (load generators and tests). */
export function x25519PublicKey(secret: Uint8Array): Uint8Array {
  if (secret.length !== X25519_KEY_LENGTH) throw new Error("Invalid private key for the ciphersuite");
  return new Uint8Array(rawPublicKey(publicKeyOf(privateKeyFromRaw(secret))));
}

function rawPublicKey(key: X25519PublicKey | KeyObject): ArrayBuffer {
  if (key instanceof X25519PublicKey) return toArrayBuffer(key.raw);
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

const LABEL_DKP_PRK = new TextEncoder().encode("dkp_prk");
const LABEL_SK = new TextEncoder().encode("sk");

function sealOnly(): never {
  throw new Error("this X25519 KEM only seals; open with the WebCrypto KEM");
}

export class NodeX25519Sender {
  constructor(readonly _hkdf: LabeledHkdf) {}

  /**
   * RFC 9180 §7.1.3 GenerateKeyPair for X25519: 32 random bytes. Not `generateKeyPairSync`:
   * in Node 20 its job object shares the key's lock, and when a garbage collection frees that
   * job while the same thread holds the lock (exporting the key) the thread deadlocks
   * (observed under load in bench:kms: gdb showed `~KeyGenJob` waiting on the mutex held by
   * `ExportJWKEdKey`). Keys imported from bytes have no such job.
   */
  async generateKeyPair(): Promise<{ publicKey: X25519PublicKey; privateKey: KeyObject }> {
    const secret = randomBytes(X25519_KEY_LENGTH);
    try {
      const privateKey = privateKeyFromRaw(secret);
      return { privateKey, publicKey: publicKeyOf(privateKey) };
    } finally {
      secret.fill(0);
    }
  }

  /**
   * RFC 9180 §7.1.3 DeriveKeyPair: only reached when a test passes a fixed `ekm` (the RFC's
   * deterministic vectors); real seals use `generateKeyPair`.
   */
  async deriveKeyPair(ikm: ArrayBuffer): Promise<{ publicKey: X25519PublicKey; privateKey: KeyObject }> {
    const prk = await this._hkdf.labeledExtract(new ArrayBuffer(0), LABEL_DKP_PRK, new Uint8Array(ikm));
    const secret = new Uint8Array(await this._hkdf.labeledExpand(prk, LABEL_SK, new Uint8Array(0), X25519_KEY_LENGTH));
    try {
      const privateKey = privateKeyFromRaw(secret);
      return { privateKey, publicKey: publicKeyOf(privateKey) };
    } finally {
      secret.fill(0);
    }
  }

  async serializePublicKey(key: X25519PublicKey | KeyObject): Promise<ArrayBuffer> {
    return rawPublicKey(key);
  }

  async deserializePublicKey(key: ArrayBuffer | Uint8Array): Promise<X25519PublicKey> {
    return publicKeyFromRaw(raw(key));
  }

  async dh(privateKey: KeyObject, publicKey: X25519PublicKey | KeyObject): Promise<ArrayBuffer> {
    return toArrayBuffer(diffieHellman({ privateKey, publicKey: publicKey instanceof X25519PublicKey ? publicKey.keyObject : publicKey }));
  }

  async derivePublicKey(privateKey: KeyObject): Promise<X25519PublicKey> {
    return publicKeyOf(privateKey);
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

import { createPrivateKey, createPublicKey } from "node:crypto";
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../core/bytes";
import { generateAgentKeyPair, openFromKms, sealToAgent } from "../../core/crypto/hpke";
import { NodeHkdfSha256 } from "../../core/crypto/nodeHkdf";
import { NodeX25519Sender, sealingDhkemX25519, x25519PublicKey } from "../../core/crypto/nodeX25519";
import { RFC9180_A21 } from "./rfc9180Vector";

/** RFC 7748 §6.1: X25519 Diffie-Hellman between Alice and Bob. */
const RFC7748 = {
  alicePrivate: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
  alicePublic: "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
  bobPublic: "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
  shared: "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
};


const PKCS8_X25519_PREFIX = "302e020100300506032b656e04220420";

function sender(): NodeX25519Sender {
  const prim = (sealingDhkemX25519() as unknown as { _prim: unknown })._prim;
  expect(prim).toBeInstanceOf(NodeX25519Sender);
  return prim as NodeX25519Sender;
}

describe("X25519 on node:crypto for HPKE sealing", () => {
  it("computes the RFC 7748 §6.1 shared secret and Alice's public key", async () => {
    const prim = sender();
    const alice = createPrivateKey({ key: Buffer.from(PKCS8_X25519_PREFIX + RFC7748.alicePrivate, "hex"), format: "der", type: "pkcs8" });
    const bob = await prim.deserializePublicKey(fromHex(RFC7748.bobPublic));
    expect(toHex(new Uint8Array(await prim.dh(alice, bob)))).toBe(RFC7748.shared);
    // X25519(alice, 9), and node's own derivation read back through the JWK-export fallback.
    expect(toHex(new Uint8Array(await prim.serializePublicKey(await prim.derivePublicKey(alice))))).toBe(RFC7748.alicePublic);
    expect(toHex(new Uint8Array(await prim.serializePublicKey(createPublicKey(alice))))).toBe(RFC7748.alicePublic);
  });

  it("imports a raw private key through JWK with its public part derived from d (RFC 7748 Alice, via DeriveKeyPair's import)", async () => {
    const prim = sender();
    const viaJwk = createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: Buffer.from(fromHex(RFC7748.alicePrivate)).toString("base64url"), x: "" }, format: "jwk" });
    expect(toHex(new Uint8Array(await prim.serializePublicKey(await prim.derivePublicKey(viaJwk))))).toBe(RFC7748.alicePublic);
    const bob = await prim.deserializePublicKey(fromHex(RFC7748.bobPublic));
    expect(toHex(new Uint8Array(await prim.dh(viaJwk, bob)))).toBe(RFC7748.shared);
  });

  it("generates ephemeral pairs whose public key matches the private key (Diffie-Hellman agrees both ways)", async () => {
    const prim = sender();
    const [a, b] = [await prim.generateKeyPair(), await prim.generateKeyPair()];
    expect(toHex(new Uint8Array(await prim.serializePublicKey(a.publicKey)))).not.toBe(toHex(new Uint8Array(await prim.serializePublicKey(b.publicKey))));
    const ab = new Uint8Array(await prim.dh(a.privateKey, b.publicKey));
    const ba = new Uint8Array(await prim.dh(b.privateKey, a.publicKey));
    expect(ab).toEqual(ba);
    expect(toHex(new Uint8Array(await prim.serializePublicKey(a.publicKey)))).toBe(
      toHex(new Uint8Array(await prim.serializePublicKey(createPublicKey(a.privateKey)))),
    );
  });

  it("x25519PublicKey gives RFC 7748 Alice's public key and refuses a private key that is not 32 bytes", () => {
    expect(toHex(x25519PublicKey(fromHex(RFC7748.alicePrivate)))).toBe(RFC7748.alicePublic);
    expect(() => x25519PublicKey(new Uint8Array(31))).toThrow(/Invalid private key/);
  });

  it("round-trips a raw public key through deserialize and serialize", async () => {
    const prim = sender();
    const key = await prim.deserializePublicKey(fromHex(RFC7748.bobPublic).buffer as ArrayBuffer);
    expect(toHex(new Uint8Array(await prim.serializePublicKey(key)))).toBe(RFC7748.bobPublic);
  });

  it("seals the RFC 9180 A.2.1 vector byte for byte (enc and ciphertext) from its fixed ikmE", async () => {
    const suite = new CipherSuite({ kem: sealingDhkemX25519(), kdf: new NodeHkdfSha256(), aead: new Chacha20Poly1305() });
    const recipientPublicKey = await suite.kem.deserializePublicKey(fromHex(RFC9180_A21.pkRm));
    const sealed = await suite.seal(
      { recipientPublicKey, info: fromHex(RFC9180_A21.info), ekm: fromHex(RFC9180_A21.ikmE).buffer as ArrayBuffer },
      fromHex(RFC9180_A21.pt),
      fromHex(RFC9180_A21.aad),
    );
    expect(toHex(new Uint8Array(sealed.enc))).toBe(RFC9180_A21.enc);
    expect(toHex(new Uint8Array(sealed.ct))).toBe(RFC9180_A21.ct);
  });

  it("seals what the stock @hpke/core suite (WebCrypto X25519) opens", async () => {
    const stock = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
    const recipient = await stock.kem.generateKeyPair();
    const recipientRaw = new Uint8Array(await stock.kem.serializePublicKey(recipient.publicKey));
    const info = utf8("interop");
    const sealed = await sealToAgent(recipientRaw, utf8("disk key bytes"), info);
    const opened = await stock.open({ recipientKey: recipient, enc: sealed.enc.slice().buffer as ArrayBuffer, info }, sealed.ciphertext.slice().buffer as ArrayBuffer);
    expect(new Uint8Array(opened)).toEqual(utf8("disk key bytes"));
  });

  it("uses a fresh ephemeral key per seal, and the agent's WebCrypto key opens each", async () => {
    const agent = await generateAgentKeyPair();
    const info = utf8("fresh");
    const seals = await Promise.all(Array.from({ length: 8 }, () => sealToAgent(agent.publicKey, utf8("k"), info)));
    expect(new Set(seals.map((sealed) => toHex(sealed.enc))).size).toBe(8);
    for (const sealed of seals) expect(await openFromKms(agent, sealed, info)).toEqual(utf8("k"));
  });

  it("refuses a public key that is not 32 bytes, and a Diffie-Hellman with a low-order point", async () => {
    const prim = sender();
    await expect(prim.deserializePublicKey(new Uint8Array(31))).rejects.toThrow(/Invalid public key/);
    const { privateKey } = await prim.generateKeyPair();
    const lowOrder = await prim.deserializePublicKey(new Uint8Array(32)); // the all-zero point: order 1
    await expect(prim.dh(privateKey, lowOrder)).rejects.toThrow();
  });

  it("only seals: opening and private-key import through this KEM throw", async () => {
    const prim = sender();
    expect(() => prim.serializePrivateKey()).toThrow(/only seals/);
    expect(() => prim.deserializePrivateKey()).toThrow(/only seals/);
    expect(() => prim.importKey()).toThrow(/only seals/);
  });
});

import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../core/bytes";
import { generateAgentKeyPair, openFromKms, sealToAgent } from "../../core/crypto/hpke";
import { hkdfSync, randomBytes } from "node:crypto";
import { dhkemX25519WithNodeHkdf, hkdfSha256, hkdfSha256Expand, hkdfSha256Extract, NodeHkdfSha256 } from "../../core/crypto/nodeHkdf";

/**
 * The node:crypto HKDF under @hpke/core: RFC 5869's SHA-256 vectors for each primitive, equality
 * with @hpke/core's own WebCrypto HKDF on the labeled functions, and envelopes that the stock
 * @hpke/core suite opens (and the other way round).
 */
const buffer = (hex: string): ArrayBuffer => fromHex(hex).slice().buffer as ArrayBuffer;
const hexOf = (bytes: ArrayBuffer): string => toHex(new Uint8Array(bytes));

// RFC 5869 appendix A.1 (test case 1) and A.3 (test case 3: empty salt and info).
const CASE_1 = {
  ikm: "0b".repeat(22),
  salt: "000102030405060708090a0b0c",
  info: "f0f1f2f3f4f5f6f7f8f9",
  prk: "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
  okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
  length: 42,
};
const CASE_3 = {
  ikm: "0b".repeat(22),
  prk: "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
  okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
  length: 42,
};

describe("hkdfSha256 (synchronous, node:crypto HMAC)", () => {
  it("computes RFC 5869 test cases 1 and 3, and their PRKs", () => {
    expect(toHex(hkdfSha256(fromHex(CASE_1.ikm), fromHex(CASE_1.salt), fromHex(CASE_1.info), CASE_1.length))).toBe(CASE_1.okm);
    expect(toHex(hkdfSha256Extract(fromHex(CASE_1.salt), fromHex(CASE_1.ikm)))).toBe(CASE_1.prk);
    expect(toHex(hkdfSha256(fromHex(CASE_3.ikm), new Uint8Array(0), new Uint8Array(0), CASE_3.length))).toBe(CASE_3.okm);
    expect(toHex(hkdfSha256Extract(new Uint8Array(0), fromHex(CASE_3.ikm)))).toBe(CASE_3.prk);
  });

  it("equals node's hkdfSync for random inputs and lengths from 0 to 255 blocks", () => {
    for (const length of [0, 1, 31, 32, 33, 64, 100, 255 * 32]) {
      const [ikm, salt, info] = [randomBytes(1 + (length % 70)), randomBytes(length % 3 === 0 ? 0 : 32), randomBytes(length % 50)];
      expect(toHex(hkdfSha256(ikm, salt, info, length))).toBe(toHex(new Uint8Array(hkdfSync("sha256", ikm, salt, info, length))));
    }
  });

  it("refuses an output longer than 255 blocks or not a whole number of bytes", () => {
    expect(() => hkdfSha256Expand(new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1)).toThrow(/Entropy limit/);
    expect(() => hkdfSha256Expand(new Uint8Array(32), new Uint8Array(0), 1.5)).toThrow(/Entropy limit/);
  });
});

describe("NodeHkdfSha256", () => {
  const kdf = new NodeHkdfSha256();

  it("computes RFC 5869 test case 1: expand, and extract-and-expand", async () => {
    expect(hexOf(await kdf.expand(buffer(CASE_1.prk), buffer(CASE_1.info), CASE_1.length))).toBe(CASE_1.okm);
    expect(hexOf(await kdf.extractAndExpand(buffer(CASE_1.salt), buffer(CASE_1.ikm), buffer(CASE_1.info), CASE_1.length))).toBe(CASE_1.okm);
  });

  it("computes RFC 5869 test case 3 (empty salt means a zero salt of hash length)", async () => {
    expect(hexOf(await kdf.extract(new ArrayBuffer(0), buffer(CASE_3.ikm)))).toBe(CASE_3.prk);
    expect(hexOf(await kdf.expand(buffer(CASE_3.prk), new ArrayBuffer(0), CASE_3.length))).toBe(CASE_3.okm);
  });

  it("refuses, like @hpke/core, an extract salt that is not hash-sized and an output over 255 blocks", async () => {
    // HPKE only extracts with hash-sized (or empty) salts; @hpke/core refuses RFC 5869 case 1's 13-byte salt too.
    await expect(new HkdfSha256().extract(buffer(CASE_1.salt), buffer(CASE_1.ikm))).rejects.toThrow(/salt length/);
    await expect(kdf.extract(buffer(CASE_1.salt), buffer(CASE_1.ikm))).rejects.toThrow(/salt length/);
    await expect(kdf.expand(buffer(CASE_1.prk), new ArrayBuffer(0), 255 * 32 + 1)).rejects.toThrow(/Entropy limit/);
  });

  it("gives the same labeled extract and expand as @hpke/core's WebCrypto HKDF", async () => {
    const suiteId = fromHex("48504b4500200001000003"); // "HPKE" || kem 0x0020 || kdf 0x0001 || aead 0x0003
    const stock = new HkdfSha256();
    const ours = new NodeHkdfSha256();
    stock.init(suiteId);
    ours.init(suiteId);
    const label = new TextEncoder().encode("secret");
    for (const length of [1, 32, 33, 64, 100]) {
      const ikm = crypto.getRandomValues(new Uint8Array(length));
      const salt = crypto.getRandomValues(new Uint8Array(32));
      const prkStock = await stock.labeledExtract(salt.buffer, label, ikm);
      expect(hexOf(await ours.labeledExtract(salt.buffer, label, ikm))).toBe(hexOf(prkStock));
      expect(hexOf(await ours.labeledExpand(prkStock, label, ikm, length))).toBe(hexOf(await stock.labeledExpand(prkStock, label, ikm, length)));
    }
  });
});

describe("HPKE with the node:crypto HKDF interoperates with stock @hpke/core", () => {
  const stock = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
  const info = new TextEncoder().encode("basekms test info");
  const plaintext = crypto.getRandomValues(new Uint8Array(32));

  it("stock @hpke/core opens what sealToAgent seals", async () => {
    const recipient = await stock.kem.generateKeyPair();
    const publicKey = new Uint8Array(await stock.kem.serializePublicKey(recipient.publicKey));
    const sealed = await sealToAgent(publicKey, plaintext, info);
    const opened = await stock.open({ recipientKey: recipient, enc: sealed.enc, info }, sealed.ciphertext);
    expect(toHex(new Uint8Array(opened))).toBe(toHex(plaintext));
  });

  it("openFromKms opens what stock @hpke/core seals, and refuses it under another info", async () => {
    const agent = await generateAgentKeyPair();
    const recipientPublicKey = await stock.kem.deserializePublicKey(agent.publicKey);
    const sealed = await stock.seal({ recipientPublicKey, info }, plaintext);
    const envelope = { enc: new Uint8Array(sealed.enc), ciphertext: new Uint8Array(sealed.ct) };
    expect(toHex(await openFromKms(agent, envelope, info))).toBe(toHex(plaintext));
    await expect(openFromKms(agent, envelope, new TextEncoder().encode("other"))).rejects.toMatchObject({ code: "OPEN_FAILED" });
  });

  it("swaps the KEM's own KDF, keeping its suite id", () => {
    const kem = dhkemX25519WithNodeHkdf() as unknown as { _kdf: unknown; _prim: { _hkdf: unknown } };
    expect(kem._kdf).toBeInstanceOf(NodeHkdfSha256);
    expect(kem._prim._hkdf).toBe(kem._kdf);
    expect(toHex((kem._kdf as unknown as { _suiteId: Uint8Array })._suiteId)).toBe("4b454d0020"); // "KEM" || 0x0020
  });
});

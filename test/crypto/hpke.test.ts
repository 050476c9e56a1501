import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../core/bytes";
import { CryptoError, type CryptoErrorCode } from "../../core/crypto/errors";
import {
  generateAgentKeyPair,
  importAgentKeyPair,
  openFromKms,
  sealToAgent,
  type SealedEnvelope,
} from "../../core/crypto/hpke";
import { webcrypto } from "node:crypto";
import { RFC9180_A21 } from "./rfc9180Vector";


const INFO = utf8("basekms test info");
const DISK_KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 7);

async function expectCode(run: () => Promise<unknown>, code: CryptoErrorCode): Promise<void> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CryptoError);
  expect((thrown as CryptoError).code).toBe(code);
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe("HPKE envelope", () => {
  it("imports the RFC 9180 A.2.1 recipient key and derives its public key", async () => {
    const pair = await importAgentKeyPair(fromHex(RFC9180_A21.skRm));
    expect(toHex(pair.publicKey)).toBe(RFC9180_A21.pkRm);
  });

  it("opens the RFC 9180 A.2.1 ciphertext to its plaintext", async () => {
    const pair = await importAgentKeyPair(fromHex(RFC9180_A21.skRm));
    const sealed = { enc: fromHex(RFC9180_A21.enc), ciphertext: fromHex(RFC9180_A21.ct) };
    const plaintext = await openFromKms(pair, sealed, fromHex(RFC9180_A21.info), fromHex(RFC9180_A21.aad));
    expect(toHex(plaintext)).toBe(RFC9180_A21.pt);
  });

  it("refuses the RFC 9180 A.2.1 ciphertext with one flipped bit, with OPEN_FAILED", async () => {
    const pair = await importAgentKeyPair(fromHex(RFC9180_A21.skRm));
    const sealed = { enc: fromHex(RFC9180_A21.enc), ciphertext: flipped(fromHex(RFC9180_A21.ct), 3) };
    await expectCode(() => openFromKms(pair, sealed, fromHex(RFC9180_A21.info), fromHex(RFC9180_A21.aad)), "OPEN_FAILED");
  });

  it("round-trips: a key sealed to a fresh agent key opens with the same info and aad", async () => {
    const agent = await generateAgentKeyPair();
    expect(agent.publicKey).toHaveLength(32);
    const sealed = await sealToAgent(agent.publicKey, DISK_KEY, INFO, utf8("aad"));
    expect(sealed.enc).toHaveLength(32);
    expect(sealed.ciphertext).toHaveLength(32 + 16);
    expect(await openFromKms(agent, sealed, INFO, utf8("aad"))).toEqual(DISK_KEY);
  });

  it("round-trips with inputs that are views into larger buffers", async () => {
    const agent = await generateAgentKeyPair();
    const backing = new Uint8Array(200);
    backing.set(agent.publicKey, 10);
    backing.set(DISK_KEY, 60);
    backing.set(INFO, 100);
    const sealed = await sealToAgent(backing.subarray(10, 42), backing.subarray(60, 92), backing.subarray(100, 100 + INFO.length));
    expect(await openFromKms(agent, sealed, INFO)).toEqual(DISK_KEY);
  });

  it("uses a fresh ephemeral key per seal: two seals of the same key differ", async () => {
    const agent = await generateAgentKeyPair();
    const first = await sealToAgent(agent.publicKey, DISK_KEY, INFO);
    const second = await sealToAgent(agent.publicKey, DISK_KEY, INFO);
    expect(toHex(first.enc)).not.toBe(toHex(second.enc));
    expect(toHex(first.ciphertext)).not.toBe(toHex(second.ciphertext));
  });

  it("generates a private key that cannot be exported", async () => {
    const agent = await generateAgentKeyPair();
    expect(agent.privateKey.extractable).toBe(false);
    await expect(webcrypto.subtle.exportKey("jwk", agent.privateKey)).rejects.toThrow();
  });

  describe("refuses to open, with OPEN_FAILED", () => {
    const setup = async () => {
      const agent = await generateAgentKeyPair();
      const sealed = await sealToAgent(agent.publicKey, DISK_KEY, INFO, utf8("aad"));
      return { agent, sealed };
    };

    it("under a different info (another app, instance or log index)", async () => {
      const { agent, sealed } = await setup();
      await expectCode(() => openFromKms(agent, sealed, flipped(INFO, 0), utf8("aad")), "OPEN_FAILED");
    });

    it("under a different or missing aad", async () => {
      const { agent, sealed } = await setup();
      await expectCode(() => openFromKms(agent, sealed, INFO, utf8("aae")), "OPEN_FAILED");
      await expectCode(() => openFromKms(agent, sealed, INFO), "OPEN_FAILED");
    });

    it("with another agent's key", async () => {
      const { sealed } = await setup();
      const other = await generateAgentKeyPair();
      await expectCode(() => openFromKms(other, sealed, INFO, utf8("aad")), "OPEN_FAILED");
    });

    it("with a tampered enc, ciphertext or tag", async () => {
      const { agent, sealed } = await setup();
      const tampered: SealedEnvelope[] = [
        { ...sealed, enc: flipped(sealed.enc, 0) },
        { ...sealed, ciphertext: flipped(sealed.ciphertext, 0) },
        { ...sealed, ciphertext: flipped(sealed.ciphertext, sealed.ciphertext.length - 1) },
      ];
      for (const envelope of tampered) await expectCode(() => openFromKms(agent, envelope, INFO, utf8("aad")), "OPEN_FAILED");
    });

    it("with a malformed envelope (short enc, ciphertext shorter than a tag)", async () => {
      const { agent, sealed } = await setup();
      await expectCode(() => openFromKms(agent, { ...sealed, enc: sealed.enc.subarray(0, 31) }, INFO, utf8("aad")), "OPEN_FAILED");
      await expectCode(() => openFromKms(agent, { ...sealed, ciphertext: new Uint8Array(15) }, INFO, utf8("aad")), "OPEN_FAILED");
    });
  });

  it("refuses to seal to a public key that is not 32 bytes, with KEY_INVALID", async () => {
    await expectCode(() => sealToAgent(new Uint8Array(31).fill(9), DISK_KEY, INFO), "KEY_INVALID");
    await expectCode(() => sealToAgent(new Uint8Array(33).fill(9), DISK_KEY, INFO), "KEY_INVALID");
  });

  it("refuses to seal to a low-order public key (all-zero shared secret), with KEY_INVALID", async () => {
    // u = 0 and u = 1 are small-order points on Curve25519: every DH with them gives zero.
    await expectCode(() => sealToAgent(new Uint8Array(32), DISK_KEY, INFO), "KEY_INVALID");
    const one = new Uint8Array(32);
    one[0] = 1;
    await expectCode(() => sealToAgent(one, DISK_KEY, INFO), "KEY_INVALID");
  });

  it("refuses to import a private key that is not 32 bytes, with KEY_INVALID", async () => {
    await expectCode(() => importAgentKeyPair(new Uint8Array(31)), "KEY_INVALID");
  });
});

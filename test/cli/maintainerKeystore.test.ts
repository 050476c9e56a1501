import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { encryptKeystoreJson, Wallet } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { UsageError } from "../../core/errors";
import { MaintainerError } from "../../scripts/maintainer/errors";
import { decryptKeystore } from "../../scripts/maintainer/keystore";
import { loadSignerAccount } from "../../scripts/maintainer/signerAccount";
import { promptPassword } from "../../scripts/maintainer/promptPassword";
import { DEV_ACCOUNTS, DEV_KEYS, encryptTestKeystore, WEB3_SECRET_STORAGE_VECTORS } from "./maintainerFixtures";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "basekms-keystore-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string; error: unknown }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code: string }).code, message: (error as Error).message, error };
  }
  throw new Error("expected a refusal");
}

function withCrypto(base: object, patch: Record<string, unknown>): string {
  const value = JSON.parse(JSON.stringify(base)) as { crypto: Record<string, unknown> };
  Object.assign(value.crypto, patch);
  return JSON.stringify(value);
}

describe("decryptKeystore: the Web3 Secret Storage test vectors", () => {
  it("decrypts the PBKDF2-SHA-256 vector with password testpassword", async () => {
    const { privateKey } = await decryptKeystore(JSON.stringify(WEB3_SECRET_STORAGE_VECTORS.pbkdf2), WEB3_SECRET_STORAGE_VECTORS.password);
    expect(toHex(privateKey)).toBe(WEB3_SECRET_STORAGE_VECTORS.privateKey);
  });

  it("decrypts the scrypt vector (n=262144, r=1, p=8) with password testpassword", async () => {
    const { privateKey } = await decryptKeystore(JSON.stringify(WEB3_SECRET_STORAGE_VECTORS.scrypt), WEB3_SECRET_STORAGE_VECTORS.password);
    expect(toHex(privateKey)).toBe(WEB3_SECRET_STORAGE_VECTORS.privateKey);
  });

  it("refuses a wrong password by the MAC, before decrypting anything", async () => {
    const result = await refusal(decryptKeystore(JSON.stringify(WEB3_SECRET_STORAGE_VECTORS.pbkdf2), "testpassword!"));
    expect(result.code).toBe("KEYSTORE_MAC_MISMATCH");
    expect(result.message).toMatch(/password is wrong/);
  });

  it("refuses a tampered ciphertext by the MAC", async () => {
    const ciphertext = `6${WEB3_SECRET_STORAGE_VECTORS.pbkdf2.crypto.ciphertext.slice(1)}`;
    const result = await refusal(decryptKeystore(withCrypto(WEB3_SECRET_STORAGE_VECTORS.pbkdf2, { ciphertext }), "testpassword"));
    expect(result.code).toBe("KEYSTORE_MAC_MISMATCH");
  });
});

describe("decryptKeystore: keystores written by other tools", () => {
  it("decrypts a keystore written by ethers (scrypt)", async () => {
    const wallet = new Wallet(DEV_KEYS[1]);
    const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, "correct horse", { scrypt: { N: 1024 } });
    const { privateKey, address } = await decryptKeystore(json, "correct horse");
    expect(`0x${toHex(privateKey)}`).toBe(DEV_KEYS[1]);
    expect(address).toBe(wallet.address.toLowerCase());
  });

  it("decrypts a pbkdf2 keystore from the test encrypter, and accepts the capitalized Crypto member of old geth files", async () => {
    const json = JSON.parse(encryptTestKeystore(DEV_KEYS[2], "pw", { kdf: "pbkdf2", c: 2000 })) as Record<string, unknown>;
    json.Crypto = json.crypto;
    delete json.crypto;
    const { privateKey } = await decryptKeystore(JSON.stringify(json), "pw");
    expect(`0x${toHex(privateKey)}`).toBe(DEV_KEYS[2]);
  });

  it("accepts the NFKD form of a password, as ethers writes it", async () => {
    const composed = "caf\u00e9";
    const wallet = new Wallet(DEV_KEYS[3]);
    const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, composed, { scrypt: { N: 1024 } });
    const { privateKey } = await decryptKeystore(json, composed);
    expect(`0x${toHex(privateKey)}`).toBe(DEV_KEYS[3]);
  });
});

describe("decryptKeystore: refusals", () => {
  const base = JSON.parse(encryptTestKeystore(DEV_KEYS[1], "pw", { kdf: "pbkdf2" })) as { crypto: Record<string, unknown> };

  it("refuses text that is not JSON (KEYSTORE_INVALID)", async () => {
    expect((await refusal(decryptKeystore("not json", "pw"))).code).toBe("KEYSTORE_INVALID");
  });

  it("refuses a version other than 3 (KEYSTORE_UNSUPPORTED)", async () => {
    expect((await refusal(decryptKeystore(JSON.stringify({ ...base, version: 1 }), "pw"))).code).toBe("KEYSTORE_UNSUPPORTED");
  });

  it("refuses a cipher other than aes-128-ctr (KEYSTORE_UNSUPPORTED)", async () => {
    expect((await refusal(decryptKeystore(withCrypto(base, { cipher: "aes-128-cbc" }), "pw"))).code).toBe("KEYSTORE_UNSUPPORTED");
  });

  it("refuses an unknown KDF and a PRF other than hmac-sha256 (KEYSTORE_UNSUPPORTED)", async () => {
    expect((await refusal(decryptKeystore(withCrypto(base, { kdf: "argon2" }), "pw"))).code).toBe("KEYSTORE_UNSUPPORTED");
    const kdfparams = { ...(base.crypto.kdfparams as object), prf: "hmac-sha512" };
    expect((await refusal(decryptKeystore(withCrypto(base, { kdfparams }), "pw"))).code).toBe("KEYSTORE_UNSUPPORTED");
  });

  it("refuses KDF parameters that would exhaust memory or time (KEYSTORE_UNSUPPORTED)", async () => {
    const scryptParams = { dklen: 32, n: 1 << 22, r: 8, p: 1, salt: "00".repeat(32) };
    expect((await refusal(decryptKeystore(withCrypto(base, { kdf: "scrypt", kdfparams: scryptParams }), "pw"))).code).toBe("KEYSTORE_UNSUPPORTED");
    const notPowerOfTwo = { ...scryptParams, n: 1000 };
    expect((await refusal(decryptKeystore(withCrypto(base, { kdf: "scrypt", kdfparams: notPowerOfTwo }), "pw"))).code).toBe("KEYSTORE_UNSUPPORTED");
    const pbkdf2Params = { ...(base.crypto.kdfparams as object), c: 100_000_000 };
    expect((await refusal(decryptKeystore(withCrypto(base, { kdfparams: pbkdf2Params }), "pw"))).code).toBe("KEYSTORE_UNSUPPORTED");
  });

  it("refuses a malformed iv or mac (KEYSTORE_INVALID)", async () => {
    expect((await refusal(decryptKeystore(withCrypto(base, { cipherparams: { iv: "00" } }), "pw"))).code).toBe("KEYSTORE_INVALID");
    expect((await refusal(decryptKeystore(withCrypto(base, { mac: "zz" }), "pw"))).code).toBe("KEYSTORE_INVALID");
  });
});

describe("loadSignerAccount", () => {
  it("loads a keystore with the password from BASEKMS_KEYSTORE_PASSWORD", async () => {
    const file = path.join(tmp, "signer.json");
    fs.writeFileSync(file, encryptTestKeystore(DEV_KEYS[1], "s3cret", { kdf: "scrypt" }));
    const account = await loadSignerAccount({ keystore: file }, { env: { BASEKMS_KEYSTORE_PASSWORD: "s3cret" } });
    expect(account.address).toBe(DEV_ACCOUNTS[1]?.address);
  });

  it("asks for the password when the environment has none", async () => {
    const file = path.join(tmp, "prompted.json");
    fs.writeFileSync(file, encryptTestKeystore(DEV_KEYS[2], "typed", { kdf: "pbkdf2" }));
    const questions: string[] = [];
    const account = await loadSignerAccount({ keystore: file }, { env: {}, askPassword: async (question) => (questions.push(question), "typed") });
    expect(account.address).toBe(DEV_ACCOUNTS[2]?.address);
    expect(questions).toEqual([`Password for keystore ${file}: `]);
  });

  it("refuses a keystore whose address member names another account (KEYSTORE_ADDRESS_MISMATCH)", async () => {
    const json = JSON.parse(encryptTestKeystore(DEV_KEYS[1], "pw", { kdf: "pbkdf2" })) as Record<string, unknown>;
    json.address = DEV_ACCOUNTS[3]?.address.slice(2).toLowerCase();
    const file = path.join(tmp, "mismatch.json");
    fs.writeFileSync(file, JSON.stringify(json));
    const result = await refusal(loadSignerAccount({ keystore: file }, { env: { BASEKMS_KEYSTORE_PASSWORD: "pw" } }));
    expect(result.error).toBeInstanceOf(MaintainerError);
    expect(result.code).toBe("KEYSTORE_ADDRESS_MISMATCH");
  });

  it("refuses to prompt without a terminal (KEYSTORE_PASSWORD_MISSING)", async () => {
    const file = path.join(tmp, "noprompt.json");
    fs.writeFileSync(file, encryptTestKeystore(DEV_KEYS[2], "pw", { kdf: "pbkdf2" }));
    const notATty = Object.assign(Object.create(process.stdin) as NodeJS.ReadStream, { isTTY: false });
    const result = await refusal(loadSignerAccount({ keystore: file }, { env: {}, askPassword: (question) => promptPassword(question, notATty) }));
    expect(result.code).toBe("KEYSTORE_PASSWORD_MISSING");
  });

  it("reads a hex key from the variable --key-env names", async () => {
    const account = await loadSignerAccount({ keyEnv: "MAINTAINER_KEY" }, { env: { MAINTAINER_KEY: DEV_KEYS[3] } });
    expect(account.address).toBe(DEV_ACCOUNTS[3]?.address);
  });

  it("refuses a key pasted where the variable name belongs, without echoing it (USAGE)", async () => {
    const result = await refusal(loadSignerAccount({ keyEnv: DEV_KEYS[3] }, { env: {} }));
    expect(result.error).toBeInstanceOf(UsageError);
    expect(result.code).toBe("USAGE");
    expect(result.message).toMatch(/treat that key as leaked/);
    expect(result.message).not.toContain(DEV_KEYS[3].slice(2));
  });

  it("refuses an unset variable and a value that is not a key, without echoing the value (CONFIG_INVALID)", async () => {
    expect((await refusal(loadSignerAccount({ keyEnv: "UNSET_VAR" }, { env: {} }))).code).toBe("CONFIG_INVALID");
    const result = await refusal(loadSignerAccount({ keyEnv: "BAD" }, { env: { BAD: "0x1234secret" } }));
    expect(result.code).toBe("CONFIG_INVALID");
    expect(result.message).not.toContain("secret");
    const zero = await refusal(loadSignerAccount({ keyEnv: "ZERO" }, { env: { ZERO: `0x${"00".repeat(32)}` } }));
    expect(zero.code).toBe("CONFIG_INVALID");
  });

  it("refuses no key source and two key sources (USAGE)", async () => {
    expect((await refusal(loadSignerAccount({}, { env: {} }))).code).toBe("USAGE");
    expect((await refusal(loadSignerAccount({ keyEnv: "A", keystore: "b" }, { env: {} }))).code).toBe("USAGE");
  });
});

import { createCipheriv, randomBytes } from "node:crypto";
import { pbkdf2 } from "@noble/hashes/pbkdf2.js";
import { scrypt } from "@noble/hashes/scrypt.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { privateKeyToAccount } from "viem/accounts";
import { HARDHAT_DEV_PRIVATE_KEY } from "../../core/chain/clients";

/**
 * Test-only helpers for the maintainer CLI tests: Hardhat's well-known dev keys, and a V3
 * keystore encrypter (the product only decrypts) written from the Web3 Secret Storage definition.
 */
/** Accounts 0-3 of Hardhat's mnemonic "test test … junk" (m/44'/60'/0'/0/i), each funded on a fresh node. */
export const DEV_KEYS = [
  HARDHAT_DEV_PRIVATE_KEY,
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
] as const;
export const DEV_ACCOUNTS = DEV_KEYS.map((key) => privateKeyToAccount(key));

export interface TestKeystoreOptions {
  kdf: "scrypt" | "pbkdf2";
  /** Cheap parameters by default, so tests stay fast. */
  n?: number;
  c?: number;
  withAddress?: boolean;
}

export function encryptTestKeystore(privateKey: `0x${string}`, password: string, options: TestKeystoreOptions): string {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const passwordBytes = new TextEncoder().encode(password);
  const kdfparams =
    options.kdf === "scrypt"
      ? { dklen: 32, n: options.n ?? 1024, r: 8, p: 1, salt: salt.toString("hex") }
      : { dklen: 32, c: options.c ?? 1000, prf: "hmac-sha256", salt: salt.toString("hex") };
  const derivedKey =
    options.kdf === "scrypt"
      ? scrypt(passwordBytes, salt, { N: options.n ?? 1024, r: 8, p: 1, dkLen: 32 })
      : pbkdf2(sha256, passwordBytes, salt, { c: options.c ?? 1000, dkLen: 32 });
  const cipher = createCipheriv("aes-128-ctr", derivedKey.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(privateKey.slice(2), "hex")), cipher.final()]);
  const mac = keccak_256(Buffer.concat([derivedKey.subarray(16, 32), ciphertext]));
  return JSON.stringify({
    version: 3,
    id: "00000000-0000-4000-8000-000000000000",
    ...(options.withAddress === false ? {} : { address: privateKeyToAccount(privateKey).address.slice(2).toLowerCase() }),
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: iv.toString("hex") },
      ciphertext: ciphertext.toString("hex"),
      kdf: options.kdf,
      kdfparams,
      mac: Buffer.from(mac).toString("hex"),
    },
  });
}

/** The two V3 vectors from the Web3 Secret Storage definition (password "testpassword"). */
export const WEB3_SECRET_STORAGE_VECTORS = {
  privateKey: "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d",
  password: "testpassword",
  pbkdf2: {
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
      ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
      kdf: "pbkdf2",
      kdfparams: { c: 262144, dklen: 32, prf: "hmac-sha256", salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd" },
      mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
    },
    id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    version: 3,
  },
  scrypt: {
    crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: "83dbcc02d8ccb40e466191a123791e0e" },
      ciphertext: "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
      kdf: "scrypt",
      kdfparams: { dklen: 32, n: 262144, r: 1, p: 8, salt: "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19" },
      mac: "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097",
    },
    id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    version: 3,
  },
} as const;

import { createDecipheriv } from "node:crypto";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { concatBytes, secretEqual, tryFromHex, utf8 } from "../../core/bytes";
import { MaintainerError } from "./errors";

/**
 * Ethereum V3 keystore ("Web3 Secret Storage") decryption: the format geth, Foundry's `cast
 * wallet`, ethers and MetaMask exports write.
 *
 *   derivedKey = scrypt(password, salt, n, r, p, dklen) | PBKDF2-HMAC-SHA256(password, salt, c, dklen)
 *   mac        = keccak256(derivedKey[16..32] ‖ ciphertext)         (checked in constant time first)
 *   privateKey = AES-128-CTR(key = derivedKey[0..16], iv).decrypt(ciphertext)
 *
 * KDF parameters are bounded, so a hostile file cannot make the CLI allocate gigabytes or spin
 * for hours. The password is the UTF-8 of the string as typed; if that fails and its NFKD form
 * differs, the NFKD form is tried too (ethers normalizes passwords that way).
 */
export interface DecryptedKeystore {
  privateKey: Uint8Array;
  /** The `address` member, lowercase with 0x, when the file has one (it is checked by the caller). */
  address?: `0x${string}`;
}

const MAX_SCRYPT_MEMORY = 1 << 30;
const MAX_SCRYPT_WORK = 1 << 24;
const MAX_PBKDF2_ITERATIONS = 10_000_000;

export async function decryptKeystore(json: string, password: string): Promise<DecryptedKeystore> {
  const parsed = parseKeystore(json);
  const attempts = [password, password.normalize("NFKD")].filter((value, index, all) => all.indexOf(value) === index);
  for (const attempt of attempts) {
    const derivedKey = await deriveKey(parsed, utf8(attempt));
    const mac = keccak_256(concatBytes(derivedKey.subarray(16, 32), parsed.ciphertext));
    if (!secretEqual(mac, parsed.mac)) continue;
    const decipher = createDecipheriv("aes-128-ctr", derivedKey.subarray(0, 16), parsed.iv);
    const privateKey = new Uint8Array(Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]));
    derivedKey.fill(0);
    if (privateKey.length !== 32) throw invalid(`it holds a ${privateKey.length}-byte secret, not a 32-byte private key`);
    return parsed.address ? { privateKey, address: parsed.address } : { privateKey };
  }
  throw new MaintainerError("KEYSTORE_MAC_MISMATCH", "the keystore password is wrong (or the keystore file is corrupted: its MAC does not match)");
}

type Kdf =
  | { kind: "scrypt"; salt: Uint8Array; dkLen: number; N: number; r: number; p: number }
  | { kind: "pbkdf2"; salt: Uint8Array; dkLen: number; c: number };

interface ParsedKeystore {
  kdf: Kdf;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  mac: Uint8Array;
  address?: `0x${string}`;
}

function parseKeystore(json: string): ParsedKeystore {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalid("it is not JSON");
  }
  const root = asRecord(value, "the file");
  if (root.version !== 3) throw new MaintainerError("KEYSTORE_UNSUPPORTED", `only version 3 keystores are supported, got version ${JSON.stringify(root.version)}`);
  const crypto = asRecord(root.crypto ?? root.Crypto, "crypto");
  if (crypto.cipher !== "aes-128-ctr") {
    throw new MaintainerError("KEYSTORE_UNSUPPORTED", `cipher ${JSON.stringify(crypto.cipher)} is not supported (only aes-128-ctr)`);
  }
  const iv = hexField(asRecord(crypto.cipherparams, "crypto.cipherparams").iv, "crypto.cipherparams.iv", 16);
  const ciphertext = hexField(crypto.ciphertext, "crypto.ciphertext");
  const mac = hexField(crypto.mac, "crypto.mac", 32);
  const address = parseAddressMember(root.address);
  return { kdf: parseKdf(crypto.kdf, asRecord(crypto.kdfparams, "crypto.kdfparams")), iv, ciphertext, mac, ...(address ? { address } : {}) };
}

function parseKdf(kdf: unknown, params: Record<string, unknown>): Kdf {
  const salt = hexField(params.salt, "kdfparams.salt");
  const dkLen = integerField(params.dklen, "kdfparams.dklen");
  if (dkLen < 32 || dkLen > 64) throw unsupported(`dklen ${dkLen} (must be 32 to 64)`);
  if (kdf === "scrypt") {
    const N = integerField(params.n, "kdfparams.n");
    const r = integerField(params.r, "kdfparams.r");
    const p = integerField(params.p, "kdfparams.p");
    if (N < 2 || (N & (N - 1)) !== 0) throw unsupported(`scrypt n ${N} (must be a power of two)`);
    if (r < 1 || p < 1 || 128 * N * r > MAX_SCRYPT_MEMORY || N * r * p > MAX_SCRYPT_WORK) {
      throw unsupported(`scrypt parameters n=${N} r=${r} p=${p} (too expensive)`);
    }
    return { kind: "scrypt", salt, dkLen, N, r, p };
  }
  if (kdf === "pbkdf2") {
    if (params.prf !== "hmac-sha256") throw unsupported(`pbkdf2 prf ${JSON.stringify(params.prf)} (only hmac-sha256)`);
    const c = integerField(params.c, "kdfparams.c");
    if (c < 1 || c > MAX_PBKDF2_ITERATIONS) throw unsupported(`pbkdf2 iteration count ${c}`);
    return { kind: "pbkdf2", salt, dkLen, c };
  }
  throw unsupported(`kdf ${JSON.stringify(kdf)} (only scrypt and pbkdf2)`);
}

async function deriveKey(keystore: ParsedKeystore, password: Uint8Array): Promise<Uint8Array> {
  const { kdf } = keystore;
  if (kdf.kind === "scrypt") {
    return scryptAsync(password, kdf.salt, { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: kdf.dkLen, maxmem: MAX_SCRYPT_MEMORY + 1024 * 1024 });
  }
  return pbkdf2Async(sha256, password, kdf.salt, { c: kdf.c, dkLen: kdf.dkLen });
}

function parseAddressMember(value: unknown): `0x${string}` | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^(0x)?[0-9a-fA-F]{40}$/.test(value)) throw invalid("its address member is not a 20-byte hex address");
  return `0x${value.replace(/^0x/, "").toLowerCase()}`;
}

function asRecord(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(`${name} is not an object`);
  return value as Record<string, unknown>;
}

function hexField(value: unknown, name: string, length?: number): Uint8Array {
  const bytes = typeof value === "string" ? tryFromHex(value) : undefined;
  if (!bytes || bytes.length === 0 || (length !== undefined && bytes.length !== length)) {
    throw invalid(`${name} must be ${length === undefined ? "non-empty" : `${length}-byte`} hex`);
  }
  return bytes;
}

function integerField(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw invalid(`${name} must be an integer`);
  return value;
}

function invalid(reason: string): MaintainerError {
  return new MaintainerError("KEYSTORE_INVALID", `not a V3 keystore: ${reason}`);
}

function unsupported(what: string): MaintainerError {
  return new MaintainerError("KEYSTORE_UNSUPPORTED", `the keystore uses an unsupported ${what}`);
}

import { randomBytes } from "node:crypto";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8 } from "../../core/bytes";
import { ToyAppError } from "./errors";

/**
 * How the toy app seals what it collects with the disk key the KMS released:
 * - a purpose key, `HKDF-SHA256(diskKey, info = "toy-social-app/sealed-records/v1")`, so the disk
 *   key itself encrypts nothing and another use of it cannot collide with this one;
 * - XChaCha20-Poly1305 with a random 24-byte nonce and the record set's name as associated data,
 *   so a sealed file renamed to another endpoint's name does not open.
 * File format: version byte 0x01 ‖ nonce (24) ‖ ciphertext with its 16-byte tag.
 */
const VERSION = 0x01;
const NONCE_LENGTH = 24;
const PURPOSE = utf8("toy-social-app/sealed-records/v1");

function purposeKey(diskKey: Uint8Array): Uint8Array {
  if (diskKey.length !== 32) throw new ToyAppError("SEALED_RECORDS_INVALID", "the disk key must be 32 bytes");
  return hkdf(sha256, diskKey, undefined, PURPOSE, 32);
}

export function sealRecords(diskKey: Uint8Array, name: string, plaintext: Uint8Array): Uint8Array {
  const key = purposeKey(diskKey);
  const nonce = new Uint8Array(randomBytes(NONCE_LENGTH));
  try {
    const ciphertext = xchacha20poly1305(key, nonce, utf8(name)).encrypt(plaintext);
    const sealed = new Uint8Array(1 + NONCE_LENGTH + ciphertext.length);
    sealed[0] = VERSION;
    sealed.set(nonce, 1);
    sealed.set(ciphertext, 1 + NONCE_LENGTH);
    return sealed;
  } finally {
    key.fill(0);
  }
}

/** Throws `SEALED_RECORDS_INVALID` for another key, another name, or altered bytes. */
export function openRecords(diskKey: Uint8Array, name: string, sealed: Uint8Array): Uint8Array {
  if (sealed.length < 1 + NONCE_LENGTH + 16 || sealed[0] !== VERSION) throw new ToyAppError("SEALED_RECORDS_INVALID", "not a sealed record file (version 1)");
  const key = purposeKey(diskKey);
  try {
    return xchacha20poly1305(key, sealed.subarray(1, 1 + NONCE_LENGTH), utf8(name)).decrypt(sealed.subarray(1 + NONCE_LENGTH));
  } catch (error) {
    throw new ToyAppError("SEALED_RECORDS_INVALID", `the sealed ${name} records do not open with this key`, { cause: error });
  } finally {
    key.fill(0);
  }
}

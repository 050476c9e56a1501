import { hash } from "node:crypto";
import { MerkleError } from "./errors";

/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing with SHA-256. Leaves and interior nodes get
 * different one-byte prefixes (0x00 and 0x01) so that a leaf can never be passed off as an
 * interior node (second-preimage attack on the tree).
 *
 * SHA-256 comes from node:crypto's one-shot `hash()`: for the 33- and 65-byte inputs of a
 * Merkle tree it measured ~0.65 µs per call on this machine, against ~1.1-2.2 µs for
 * @noble/hashes and ~1.1-1.5 µs for `createHash().update().digest()`.
 */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

export function sha256(bytes: Uint8Array): Uint8Array {
  const digest = hash("sha256", bytes, "buffer");
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** `SHA-256(0x00 ‖ leafBytes)`. */
export function leafHash(leafBytes: Uint8Array): Uint8Array {
  const input = new Uint8Array(leafBytes.length + 1);
  input[0] = LEAF_PREFIX;
  input.set(leafBytes, 1);
  return sha256(input);
}

/** `SHA-256(0x01 ‖ left ‖ right)`, for two 32-byte child hashes. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + 2 * HASH_SIZE);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + HASH_SIZE);
  return sha256(input);
}

/** The root of the empty tree: `SHA-256("")` (RFC 9162 §2.1.1). A fresh copy each call. */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/** Throws `HASH_INVALID` unless `value` is a 32-byte Uint8Array. */
export function assertHash(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    throw new MerkleError("HASH_INVALID", `${what} must be ${HASH_SIZE} bytes`);
  }
}

import { tryFromHex } from "../bytes";
import { CryptoError } from "./errors";

/**
 * Fixed-width big-endian integers and checked byte fields for the binary layouts in
 * `docs/protocol-key-derivation.md`. Each helper refuses out-of-range input with
 * `INPUT_INVALID` rather than truncating it, because a silently wrapped chain id or epoch
 * would derive someone else's key.
 */
const U64_MAX = (1n << 64n) - 1n;

export function u16be(value: number, field: string): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new CryptoError("INPUT_INVALID", `${field} must be an integer in [0, 65535]`);
  }
  return new Uint8Array([value >>> 8, value & 0xff]);
}

export function u32be(value: number, field: string): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new CryptoError("INPUT_INVALID", `${field} must be an integer in [0, 2^32 - 1]`);
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

export function u64be(value: bigint | number, field: string): Uint8Array {
  let big: bigint;
  if (typeof value === "bigint") big = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) big = BigInt(value);
  else throw new CryptoError("INPUT_INVALID", `${field} must be a bigint or a safe integer`);
  if (big < 0n || big > U64_MAX) {
    throw new CryptoError("INPUT_INVALID", `${field} must be in [0, 2^64 - 1]`);
  }
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, big, false);
  return out;
}

/** Checks that `bytes` is a Uint8Array of exactly `length` bytes. */
export function exactBytes(bytes: unknown, length: number, field: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new CryptoError("INPUT_INVALID", `${field} must be ${length} bytes`);
  }
  return bytes;
}

/** A variable-length field, prefixed with its u16be length so that adjacent fields cannot run together. */
export function lengthPrefixed(bytes: unknown, field: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new CryptoError("INPUT_INVALID", `${field} must be bytes`);
  const prefix = u16be(bytes.length, `length of ${field}`);
  const out = new Uint8Array(2 + bytes.length);
  out.set(prefix, 0);
  out.set(bytes, 2);
  return out;
}

/** A `0x`-prefixed 20-byte Ethereum address (any letter case) as its 20 raw bytes. */
export function addressBytes(address: unknown, field: string): Uint8Array {
  if (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new CryptoError("INPUT_INVALID", `${field} must be a 0x-prefixed 20-byte address`);
  }
  const bytes = tryFromHex(address);
  if (!bytes) throw new CryptoError("INPUT_INVALID", `${field} must be a 0x-prefixed 20-byte address`);
  return bytes;
}

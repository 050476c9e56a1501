import { timingSafeEqual } from "node:crypto";

/**
 * Bytes are bytes: `Uint8Array` inside, hex only at the edges. Hex here is lowercase,
 * with no `0x`, unless a function says otherwise.
 */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** `0x`-prefixed lowercase hex, for viem and Solidity. */
export function toHex0x(bytes: Uint8Array): `0x${string}` {
  return `0x${toHex(bytes)}`;
}

/**
 * Parses hex with or without `0x`. Returns undefined on anything that is not whole-byte hex.
 * Without a validating regex (quotes are ~10,000 hex characters on the KMS hot path): Node's
 * decoder stops at the first pair of ASCII characters that is not two hex digits (and drops
 * an odd last digit), so ASCII input is whole-byte hex exactly when every character was
 * consumed. Non-ASCII input is refused first, because the decoder reads only the low byte of
 * a wide character ("š" is U+0161 and would pass for "a").
 */
export function tryFromHex(text: string): Uint8Array | undefined {
  if (typeof text !== "string" || Buffer.byteLength(text, "utf8") !== text.length) return undefined;
  const prefixed = text.startsWith("0x") || text.startsWith("0X");
  const digits = text.length - (prefixed ? 2 : 0);
  const decoded = Buffer.from(prefixed ? text.slice(2) : text, "hex");
  if (decoded.length * 2 !== digits) return undefined;
  // Small Buffers share Node's pool, and callers may zero, keep or transfer theirs: those are
  // copied. A Buffer with a memory of its own (a quote) is handed over as it is.
  if (decoded.byteOffset === 0 && decoded.buffer.byteLength === decoded.length) return new Uint8Array(decoded.buffer);
  return new Uint8Array(decoded);
}

export function fromHex(text: string): Uint8Array {
  const bytes = tryFromHex(text);
  if (!bytes) throw new TypeError("not a whole-byte hex string");
  return bytes;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Byte equality for public data. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Constant-time equality for secrets (nonces, keys, MACs). Length is not secret. */
export function secretEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export function isAllZero(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}

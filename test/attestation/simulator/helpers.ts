import { execFileSync } from "node:child_process";
import { createPublicKey, type KeyObject } from "node:crypto";
import { resolve } from "node:path";

/**
 * Test-only readers, written independently of the simulator's writer (and of the production
 * parser being built in parallel) so the tests cross-check bytes rather than echo them.
 */

export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  end: number;
  content: Uint8Array;
}

/** Reads one DER TLV at `offset` (definite lengths only, single-byte tags). */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv {
  const tag = bytes[offset];
  let lengthByte = bytes[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error(`truncated TLV at ${offset}`);
  let cursor = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = bytes[cursor++];
      if (lengthByte === undefined) throw new Error("truncated length");
      length = length * 256 + lengthByte;
    }
  }
  const end = cursor + length;
  if (end > bytes.length) throw new Error(`TLV at ${offset} overruns its buffer`);
  return { tag, start: offset, contentStart: cursor, end, content: bytes.subarray(cursor, end) };
}

/** The children of a constructed TLV's content. */
export function children(content: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  for (let offset = 0; offset < content.length; ) {
    const child = readTlv(content, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** Decodes OID content bytes to dotted text. */
export function oidText(content: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  const [first = 0, ...rest] = arcs;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...rest].join(".");
}

/** Unsigned big-endian integer content to a number (small values only). */
export function integerValue(content: Uint8Array): number {
  let value = 0;
  for (const byte of content) value = value * 256 + byte;
  return value;
}

/** Finds an extension's extnValue content by OID in a certificate DER. */
export function extensionValue(certificateDer: Uint8Array, oid: string): Uint8Array | undefined {
  const tbs = children(readTlv(certificateDer).content)[0];
  if (!tbs) throw new Error("no tbsCertificate");
  const explicit3 = children(tbs.content).find((child) => child.tag === 0xa3);
  if (!explicit3) return undefined;
  const extensions = children(readTlv(explicit3.content).content);
  for (const ext of extensions) {
    const [id, ...rest] = children(ext.content);
    if (id && oidText(id.content) === oid) return rest[rest.length - 1]?.content;
  }
  return undefined;
}

/** `[toBeSigned bytes, DER signature]` of a signed certificate or CRL. */
export function splitSigned(der: Uint8Array): { toBeSigned: Uint8Array; signatureDer: Uint8Array } {
  const [tbs, , signature] = children(readTlv(der).content);
  if (!tbs || !signature) throw new Error("not a signed structure");
  return {
    toBeSigned: der.subarray(readTlv(der).contentStart + tbs.start, readTlv(der).contentStart + tbs.end),
    signatureDer: signature.content.subarray(1),
  };
}

/** A P-256 public key from 64 raw x‖y bytes. */
export function p256KeyFromRaw(raw: Uint8Array): KeyObject {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
  return createPublicKey({
    key: { kty: "EC", crv: "P-256", x: b64(raw.subarray(0, 32)), y: b64(raw.subarray(32, 64)) },
    format: "jwk",
  });
}

export function le16(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint16(offset, true);
}

export function le32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset, true);
}

/** The parts of a v4 quote, by Intel's offsets (an independent reader for the tests). */
export function splitV4Quote(quote: Uint8Array) {
  const signatureDataLength = le32(quote, 632);
  let offset = 636;
  const take = (length: number) => {
    const part = quote.subarray(offset, offset + length);
    offset += length;
    return part;
  };
  const quoteSignature = take(64);
  const attestationKey = take(64);
  const certDataType = le16(quote, offset);
  const certDataSize = le32(quote, offset + 2);
  offset += 6;
  const qeReport = take(384);
  const qeReportSignature = take(64);
  const qeAuthDataLength = le16(quote, offset);
  offset += 2;
  const qeAuthData = take(qeAuthDataLength);
  const innerType = le16(quote, offset);
  const innerSize = le32(quote, offset + 2);
  offset += 6;
  const pckChain = take(innerSize);
  return {
    header: quote.subarray(0, 48),
    body: quote.subarray(48, 632),
    signedBytes: quote.subarray(0, 632),
    signatureDataLength,
    quoteSignature,
    attestationKey,
    certDataType,
    certDataSize,
    qeReport,
    qeReportSignature,
    qeAuthData,
    innerType,
    innerSize,
    pckChain,
    end: offset,
  };
}

/** Path of the openssl CLI, or undefined when it is not installed. */
export function opensslPath(): string | undefined {
  try {
    return execFileSync("which", ["openssl"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The real Intel vectors (../shared/tdx-vectors from the repo root). */
export const VECTORS = resolve(process.cwd(), "../shared/tdx-vectors");

import { type KeyObject, generateKeyPairSync, sign } from "node:crypto";

/**
 * A tiny DER encoder and a throw-away P-256 PKI for the refusal paths that real Intel data
 * cannot reach (a revoked leaf, a non-CA issuer, an unknown critical extension, ...).
 * Test-only: the layout mirrors Intel's certificates (ecdsa-with-SHA256, P-256, v3, v2 CRLs).
 */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  const length = body.length;
  let header: number[];
  if (length < 0x80) header = [tag, length];
  else if (length < 0x100) header = [tag, 0x81, length];
  else if (length < 0x10000) header = [tag, 0x82, length >> 8, length & 0xff];
  else header = [tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
  return new Uint8Array(Buffer.concat([Uint8Array.from(header), body]));
}

export const seq = (...contents: Uint8Array[]): Uint8Array => tlv(0x30, ...contents);
export const set = (...contents: Uint8Array[]): Uint8Array => tlv(0x31, ...contents);
export const octets = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
export const bool = (value: boolean): Uint8Array => tlv(0x01, Uint8Array.of(value ? 0xff : 0));
export const explicit = (n: number, ...contents: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...contents);
export const utf8String = (text: string): Uint8Array => tlv(0x0c, Buffer.from(text, "utf8"));
export const enumerated = (value: number): Uint8Array => tlv(0x0a, Uint8Array.of(value));
export const bitString = (bytes: Uint8Array, unusedBits = 0): Uint8Array => tlv(0x03, Uint8Array.of(unusedBits), bytes);

/** Minimal two's-complement INTEGER for a non-negative value. */
export function integer(value: number | bigint | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) bytes = value;
  else {
    let hex = BigInt(value).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    bytes = Buffer.from(hex, "hex");
  }
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Uint8Array.of(0), bytes]);
  return tlv(0x02, bytes);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const out: number[] = [];
  const encodeArc = (arc: number): void => {
    const chunk: number[] = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    out.push(...chunk);
  };
  encodeArc((arcs[0] as number) * 40 + (arcs[1] as number));
  for (const arc of arcs.slice(2)) encodeArc(arc);
  return tlv(0x06, Uint8Array.from(out));
}

export function utcTime(seconds: number): Uint8Array {
  const iso = new Date(seconds * 1000).toISOString(); // 2025-02-06T23:25:51.000Z
  const text = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + "Z";
  return tlv(0x17, Buffer.from(text, "ascii"));
}

export const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

export function name(commonName: string): Uint8Array {
  return seq(set(seq(oid("2.5.4.3"), utf8String(commonName))), set(seq(oid("2.5.4.10"), utf8String("basekms test"))));
}

export function extension(oidText: string, value: Uint8Array, critical = false): Uint8Array {
  return critical ? seq(oid(oidText), bool(true), octets(value)) : seq(oid(oidText), octets(value));
}

export interface TestKey {
  privateKey: KeyObject;
  /** 65 bytes, 0x04 ‖ x ‖ y. */
  publicKey: Uint8Array;
}

export function newKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ format: "der", type: "spki" });
  return { privateKey, publicKey: new Uint8Array(spki.subarray(spki.length - 65)) };
}

function spki(publicKey: Uint8Array): Uint8Array {
  return seq(seq(oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")), bitString(publicKey));
}

function signed(tbs: Uint8Array, signer: KeyObject): Uint8Array {
  return seq(tbs, ECDSA_SHA256, bitString(sign("sha256", tbs, signer)));
}

export interface CertificateSpec {
  serial: number | bigint;
  issuer: string;
  subject: string;
  notBefore: number;
  notAfter: number;
  subjectKey: TestKey;
  issuerKey: TestKey;
  /** undefined: no basicConstraints; otherwise cA and optional pathLen. */
  ca?: { pathLength?: number } | false;
  /** keyUsage BIT STRING content byte (e.g. 0x06 = keyCertSign|cRLSign, 0xc0 = digitalSignature|nonRepudiation). */
  keyUsage?: number;
  extraExtensions?: Uint8Array[];
}

export function makeCertificate(spec: CertificateSpec): Uint8Array {
  const extensions: Uint8Array[] = [];
  if (spec.ca !== undefined) {
    const content = spec.ca === false ? [] : [bool(true), ...(spec.ca.pathLength === undefined ? [] : [integer(spec.ca.pathLength)])];
    extensions.push(extension("2.5.29.19", seq(...content), true));
  }
  if (spec.keyUsage !== undefined) {
    const unused = spec.keyUsage === 0 ? 0 : Math.min(7, countTrailingZeros(spec.keyUsage));
    extensions.push(extension("2.5.29.15", bitString(Uint8Array.of(spec.keyUsage), unused), true));
  }
  extensions.push(...(spec.extraExtensions ?? []));
  const tbs = seq(
    explicit(0, integer(2)),
    integer(spec.serial),
    ECDSA_SHA256,
    name(spec.issuer),
    seq(utcTime(spec.notBefore), utcTime(spec.notAfter)),
    name(spec.subject),
    spki(spec.subjectKey.publicKey),
    ...(extensions.length > 0 ? [explicit(3, seq(...extensions))] : []),
  );
  return signed(tbs, spec.issuerKey.privateKey);
}

export interface CrlSpec {
  issuer: string;
  issuerKey: TestKey;
  thisUpdate: number;
  nextUpdate: number;
  revokedSerials?: (number | bigint)[];
  extraExtensions?: Uint8Array[];
}

export function makeCrl(spec: CrlSpec): Uint8Array {
  const revoked = (spec.revokedSerials ?? []).map((serial) => seq(integer(serial), utcTime(spec.thisUpdate)));
  const tbs = seq(
    integer(1),
    ECDSA_SHA256,
    name(spec.issuer),
    utcTime(spec.thisUpdate),
    utcTime(spec.nextUpdate),
    ...(revoked.length > 0 ? [seq(...revoked)] : []),
    explicit(0, seq(extension("2.5.29.20", integer(1)), ...(spec.extraExtensions ?? []))),
  );
  return signed(tbs, spec.issuerKey.privateKey);
}

function countTrailingZeros(byte: number): number {
  let count = 0;
  while (count < 8 && ((byte >> count) & 1) === 0) count++;
  return count;
}

/** A root → intermediate → leaf PKI shaped like Intel's, valid 2025-01-01 .. 2030-01-01. */
export const T0 = Date.UTC(2025, 0, 1) / 1000;
export const T1 = Date.UTC(2030, 0, 1) / 1000;
export const NOW = Date.UTC(2026, 0, 1) / 1000;

export function buildTestPki(options: { leafSerial?: number; intermediateSerial?: number } = {}) {
  const rootKey = newKey();
  const intermediateKey = newKey();
  const leafKey = newKey();
  const root = makeCertificate({
    serial: 1, issuer: "Test Root CA", subject: "Test Root CA", notBefore: T0, notAfter: T1,
    subjectKey: rootKey, issuerKey: rootKey, ca: { pathLength: 1 }, keyUsage: 0x06,
  });
  const intermediate = makeCertificate({
    serial: options.intermediateSerial ?? 2, issuer: "Test Root CA", subject: "Test Platform CA", notBefore: T0, notAfter: T1,
    subjectKey: intermediateKey, issuerKey: rootKey, ca: { pathLength: 0 }, keyUsage: 0x06,
  });
  const leaf = makeCertificate({
    serial: options.leafSerial ?? 0xabcdef, issuer: "Test Platform CA", subject: "Test PCK Certificate", notBefore: T0, notAfter: T1,
    subjectKey: leafKey, issuerKey: intermediateKey, ca: false, keyUsage: 0xc0,
  });
  const crlWindow = { thisUpdate: NOW - 86_400, nextUpdate: NOW + 30 * 86_400 };
  const rootCrl = (revokedSerials: number[] = []): Uint8Array =>
    makeCrl({ issuer: "Test Root CA", issuerKey: rootKey, ...crlWindow, revokedSerials });
  const intermediateCrl = (revokedSerials: number[] = []): Uint8Array =>
    makeCrl({ issuer: "Test Platform CA", issuerKey: intermediateKey, ...crlWindow, revokedSerials });
  return { rootKey, intermediateKey, leafKey, root, intermediate, leaf, rootCrl, intermediateCrl };
}

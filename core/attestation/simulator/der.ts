import { concatBytes, utf8 } from "../../bytes";
import { SimulatorError } from "./errors";

/**
 * A minimal DER (X.690) *writer* for the development PKI: exactly the types that X.509
 * certificates, CRLs and Intel's SGX PCK extension use. Each function returns one complete
 * TLV. There is no reader here on purpose: the verifier parses with its own code, so the
 * simulator can never hide a parser bug by sharing it.
 */

const TAG_BOOLEAN = 0x01;
const TAG_INTEGER = 0x02;
const TAG_BIT_STRING = 0x03;
const TAG_OCTET_STRING = 0x04;
const TAG_NULL = 0x05;
const TAG_OID = 0x06;
const TAG_ENUMERATED = 0x0a;
const TAG_UTF8_STRING = 0x0c;
const TAG_PRINTABLE_STRING = 0x13;
const TAG_IA5_STRING = 0x16;
const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;
const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const CLASS_CONTEXT = 0x80;
const CONSTRUCTED = 0x20;

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One TLV with a single-byte tag (all tags used here are below 31). */
export function derTlv(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), encodeLength(content.length), content);
}

export function derSequence(...children: Uint8Array[]): Uint8Array {
  return derTlv(TAG_SEQUENCE, concatBytes(...children));
}

/** SET OF: DER requires the encodings in ascending byte order (X.690 11.6). */
export function derSet(...children: Uint8Array[]): Uint8Array {
  const sorted = [...children].sort(compareBytes);
  return derTlv(TAG_SET, concatBytes(...sorted));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

/** Big-endian unsigned magnitude of a non-negative integer. */
function unsignedBytes(value: number | bigint): Uint8Array {
  let rest = BigInt(value);
  if (rest < 0n) throw new SimulatorError("SIMULATOR_VALUE_OUT_OF_RANGE", "DER INTEGER must not be negative");
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  } while (rest > 0n);
  return Uint8Array.from(bytes);
}

/** Minimal two's-complement content of a non-negative integer given as big-endian bytes. */
function positiveIntegerContent(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.length === 0 ? Uint8Array.of(0) : magnitude.subarray(start);
  return (trimmed[0] ?? 0) & 0x80 ? concatBytes(Uint8Array.of(0), trimmed) : trimmed;
}

/**
 * A non-negative INTEGER in minimal form. Bytes are read as an unsigned big-endian magnitude
 * (a certificate serial); a leading 0x00 is added only when the top bit is set.
 */
export function derInteger(value: number | bigint | Uint8Array): Uint8Array {
  const magnitude = value instanceof Uint8Array ? value : unsignedBytes(value);
  return derTlv(TAG_INTEGER, positiveIntegerContent(magnitude));
}

/** ENUMERATED with a small non-negative value (CRL reason codes, SGX Type). */
export function derEnumerated(value: number): Uint8Array {
  return derTlv(TAG_ENUMERATED, positiveIntegerContent(unsignedBytes(value)));
}

export function derBoolean(value: boolean): Uint8Array {
  return derTlv(TAG_BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
}

export function derNull(): Uint8Array {
  return derTlv(TAG_NULL, new Uint8Array(0));
}

export function derOctetString(bytes: Uint8Array): Uint8Array {
  return derTlv(TAG_OCTET_STRING, bytes);
}

/** BIT STRING; `unusedBits` counts the padding bits in the last byte (key usage needs it). */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) {
    throw new SimulatorError("SIMULATOR_VALUE_OUT_OF_RANGE", `BIT STRING unused bits ${unusedBits} is invalid`);
  }
  return derTlv(TAG_BIT_STRING, concatBytes(Uint8Array.of(unusedBits), bytes));
}

/** OBJECT IDENTIFIER from dotted text, e.g. "1.2.840.113741.1.13.1". */
export function derOid(dotted: string): Uint8Array {
  if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(dotted)) {
    throw new SimulatorError("SIMULATOR_ENCODING_INVALID", `not a dotted OID: ${dotted}`);
  }
  const arcs = dotted.split(".").map((arc) => BigInt(arc));
  const [first = 0n, second = 0n, ...rest] = arcs;
  if (first < 2n && second > 39n) {
    throw new SimulatorError("SIMULATOR_ENCODING_INVALID", `second OID arc out of range: ${dotted}`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let value = arc >> 7n; value > 0n; value >>= 7n) groups.unshift(Number(value & 0x7fn) | 0x80);
    bytes.push(...groups);
  }
  return derTlv(TAG_OID, Uint8Array.from(bytes));
}

export function derUtf8String(text: string): Uint8Array {
  return derTlv(TAG_UTF8_STRING, utf8(text));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function derPrintableString(text: string): Uint8Array {
  if (!PRINTABLE.test(text)) {
    throw new SimulatorError("SIMULATOR_ENCODING_INVALID", `not a PrintableString: ${JSON.stringify(text)}`);
  }
  return derTlv(TAG_PRINTABLE_STRING, utf8(text));
}

export function derIa5String(text: string): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(text)) {
    throw new SimulatorError("SIMULATOR_ENCODING_INVALID", `not an IA5String: ${JSON.stringify(text)}`);
  }
  return derTlv(TAG_IA5_STRING, utf8(text));
}

/** UTC date parts of a Unix time in whole seconds. */
function dateParts(unixSeconds: number): { year: number; rest: string } {
  if (!Number.isSafeInteger(unixSeconds)) {
    throw new SimulatorError("SIMULATOR_VALUE_OUT_OF_RANGE", `time must be whole Unix seconds, got ${unixSeconds}`);
  }
  const date = new Date(unixSeconds * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) {
    throw new SimulatorError("SIMULATOR_VALUE_OUT_OF_RANGE", `time ${unixSeconds} is outside years 0000-9999`);
  }
  const two = (n: number) => String(n).padStart(2, "0");
  const rest =
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds());
  return { year, rest };
}

/** UTCTime `YYMMDDHHMMSSZ`; only years 1950-2049 fit (RFC 5280 4.1.2.5.1). */
export function derUtcTime(unixSeconds: number): Uint8Array {
  const { year, rest } = dateParts(unixSeconds);
  if (year < 1950 || year > 2049) {
    throw new SimulatorError("SIMULATOR_VALUE_OUT_OF_RANGE", `UTCTime cannot hold year ${year}`);
  }
  return derTlv(TAG_UTC_TIME, utf8(`${String(year % 100).padStart(2, "0")}${rest}Z`));
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ` (no fractional seconds, as RFC 5280 4.1.2.5.2 requires). */
export function derGeneralizedTime(unixSeconds: number): Uint8Array {
  const { year, rest } = dateParts(unixSeconds);
  return derTlv(TAG_GENERALIZED_TIME, utf8(`${String(year).padStart(4, "0")}${rest}Z`));
}

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050 (and before 1950). */
export function derTime(unixSeconds: number): Uint8Array {
  const { year } = dateParts(unixSeconds);
  return year >= 1950 && year <= 2049 ? derUtcTime(unixSeconds) : derGeneralizedTime(unixSeconds);
}

/** `[tagNumber] EXPLICIT`: wraps whole encodings in a constructed context tag. */
export function derExplicit(tagNumber: number, ...inner: Uint8Array[]): Uint8Array {
  return derTlv(CLASS_CONTEXT | CONSTRUCTED | contextNumber(tagNumber), concatBytes(...inner));
}

/**
 * `[tagNumber] IMPLICIT`: replaces the tag of one complete encoding with a context tag,
 * keeping its constructed bit (so `[0] IMPLICIT OCTET STRING` is 0x80, `[0] IMPLICIT
 * SEQUENCE` is 0xa0).
 */
export function derImplicit(tagNumber: number, encoded: Uint8Array): Uint8Array {
  const originalTag = encoded[0];
  if (originalTag === undefined) throw new SimulatorError("SIMULATOR_ENCODING_INVALID", "empty DER element");
  const retagged = new Uint8Array(encoded);
  retagged[0] = CLASS_CONTEXT | (originalTag & CONSTRUCTED) | contextNumber(tagNumber);
  return retagged;
}

function contextNumber(tagNumber: number): number {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30) {
    throw new SimulatorError("SIMULATOR_VALUE_OUT_OF_RANGE", `context tag ${tagNumber} is not in [0, 30]`);
  }
  return tagNumber;
}

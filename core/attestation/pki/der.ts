import { AttestationError } from "../errors";
import { parseDerTime } from "./derTime";

/**
 * A strict DER (X.690 §10) TLV reader for certificates, CRLs and the SGX PCK extension.
 *
 * Strict on purpose: definite lengths only, minimal length and integer encodings, single-byte
 * tags, and never a read past the end of the element that contains it. Two encodings of the
 * same certificate would let an attacker present bytes that a second parser reads differently.
 * Every failure is an `AttestationError` with the caller's code (CERT_MALFORMED for
 * certificates, CRL_MALFORMED for CRLs, PCK_EXTENSION_MALFORMED for the SGX extension); hostile
 * input never surfaces as a RangeError or TypeError.
 */
export type DerErrorCode = "CERT_MALFORMED" | "CRL_MALFORMED" | "PCK_EXTENSION_MALFORMED";

export const DER_TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Tag byte of a context-specific element `[n]`: constructed (EXPLICIT / SEQUENCE-like) or primitive. */
export function contextTag(tagNumber: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | tagNumber;
}

export interface DerElement {
  /** The identifier byte (class, constructed bit and tag number). */
  tag: number;
  /** The contents octets. */
  value: Uint8Array;
  /** The whole TLV (identifier, length and contents), e.g. the exact bytes that were signed. */
  encoded: Uint8Array;
}

/** Lengths above 2^32 - 1 never occur in what we parse; the cap keeps arithmetic exact. */
const MAX_LENGTH_OCTETS = 4;

export class DerReader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    readonly code: DerErrorCode,
  ) {}

  fail(message: string): never {
    throw new AttestationError(this.code, message);
  }

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  /** The tag of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.bytes[this.offset];
  }

  /** Reads the next TLV, whatever its tag. */
  next(what: string): DerElement {
    const bytes = this.bytes;
    const start = this.offset;
    if (start >= bytes.length) this.fail(`${what}: unexpected end of data`);
    const tag = bytes[start] as number;
    // High tag numbers (0x1f) never occur in X.509; refusing them keeps tags one byte.
    if ((tag & 0x1f) === 0x1f) this.fail(`${what}: multi-byte tags are not supported`);
    if (start + 1 >= bytes.length) this.fail(`${what}: missing length`);
    const first = bytes[start + 1] as number;
    let length: number;
    let headerLength: number;
    if (first < 0x80) {
      length = first;
      headerLength = 2;
    } else {
      const count = first & 0x7f;
      if (count === 0) this.fail(`${what}: indefinite length is not DER`);
      if (count > MAX_LENGTH_OCTETS) this.fail(`${what}: length too large`);
      if (start + 2 + count > bytes.length) this.fail(`${what}: truncated length`);
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + 2 + i] as number);
      if (bytes[start + 2] === 0) this.fail(`${what}: non-minimal length (leading zero)`);
      if (length < 0x80) this.fail(`${what}: non-minimal length (long form for a short length)`);
      headerLength = 2 + count;
    }
    const end = start + headerLength + length;
    if (end > bytes.length) this.fail(`${what}: length runs past the end of the data`);
    this.offset = end;
    return {
      tag,
      value: bytes.subarray(start + headerLength, end),
      encoded: bytes.subarray(start, end),
    };
  }

  /** Reads the next element and requires its tag. */
  expect(tag: number, what: string): DerElement {
    const element = this.next(what);
    if (element.tag !== tag) {
      this.fail(`${what}: expected tag 0x${hex2(tag)}, found 0x${hex2(element.tag)}`);
    }
    return element;
  }

  /** Reads the next element only if it has this tag. */
  optional(tag: number, what: string): DerElement | undefined {
    return this.peekTag() === tag ? this.expect(tag, what) : undefined;
  }

  /** Reads a constructed element with this tag and returns a reader over its contents. */
  enter(tag: number, what: string): DerReader {
    return new DerReader(this.expect(tag, what).value, this.code);
  }

  sequence(what: string): DerReader {
    return this.enter(DER_TAG.SEQUENCE, what);
  }

  /** Requires that nothing is left: trailing bytes inside a signed structure are refused. */
  end(what: string): void {
    if (!this.done) this.fail(`${what}: unexpected trailing data`);
  }

  /** INTEGER contents, checked for minimal two's-complement encoding. */
  integerBytes(what: string): Uint8Array {
    return checkInteger(this.expect(DER_TAG.INTEGER, what).value, this, what);
  }

  integerBigInt(what: string): bigint {
    const value = this.integerBytes(what);
    let result = 0n;
    for (const byte of value) result = (result << 8n) | BigInt(byte);
    if ((value[0] as number) & 0x80) result -= 1n << BigInt(value.length * 8);
    return result;
  }

  /** A non-negative INTEGER no larger than `max` (at most 2^48), as a number. */
  smallInteger(what: string, max: number): number {
    return smallNonNegative(this.integerBytes(what), max, this, what);
  }

  /** ENUMERATED, same encoding rules as INTEGER. */
  enumerated(what: string, max: number): number {
    const value = checkInteger(this.expect(DER_TAG.ENUMERATED, what).value, this, what);
    return smallNonNegative(value, max, this, what);
  }

  boolean(what: string): boolean {
    const value = this.expect(DER_TAG.BOOLEAN, what).value;
    if (value.length !== 1) this.fail(`${what}: BOOLEAN must be one byte`);
    if (value[0] === 0x00) return false;
    if (value[0] === 0xff) return true;
    return this.fail(`${what}: BOOLEAN must be 0x00 or 0xff in DER`);
  }

  /** OBJECT IDENTIFIER as a dotted string, e.g. "1.2.840.10045.4.3.2". */
  oid(what: string): string {
    return decodeOid(this.expect(DER_TAG.OID, what).value, this, what);
  }

  octetString(what: string): Uint8Array {
    return this.expect(DER_TAG.OCTET_STRING, what).value;
  }

  /** BIT STRING: the unused-bit count and the bit bytes (unused trailing bits must be zero). */
  bitString(what: string): { unusedBits: number; bytes: Uint8Array } {
    const value = this.expect(DER_TAG.BIT_STRING, what).value;
    if (value.length === 0) this.fail(`${what}: empty BIT STRING`);
    const unusedBits = value[0] as number;
    if (unusedBits > 7) this.fail(`${what}: BIT STRING unused-bit count above 7`);
    const bytes = value.subarray(1);
    if (bytes.length === 0 && unusedBits !== 0) this.fail(`${what}: empty BIT STRING with unused bits`);
    const last = bytes.length > 0 ? (bytes[bytes.length - 1] as number) : 0;
    if (unusedBits > 0 && (last & ((1 << unusedBits) - 1)) !== 0) {
      this.fail(`${what}: BIT STRING unused bits must be zero in DER`);
    }
    return { unusedBits, bytes };
  }

  /** A BIT STRING that holds whole bytes (keys, signatures). */
  octetAlignedBitString(what: string): Uint8Array {
    const { unusedBits, bytes } = this.bitString(what);
    if (unusedBits !== 0) this.fail(`${what}: BIT STRING must be octet-aligned`);
    return bytes;
  }

  /** UTCTime or GeneralizedTime, as unix seconds. */
  time(what: string): number {
    const element = this.next(what);
    if (element.tag !== DER_TAG.UTC_TIME && element.tag !== DER_TAG.GENERALIZED_TIME) {
      this.fail(`${what}: expected UTCTime or GeneralizedTime, found tag 0x${hex2(element.tag)}`);
    }
    const seconds = parseDerTime(element.tag === DER_TAG.UTC_TIME ? "utc" : "generalized", element.value);
    if (seconds === undefined) this.fail(`${what}: invalid time encoding`);
    return seconds;
  }
}

/** Parses bytes that must hold exactly one TLV with this tag and nothing after it. */
export function readSingle(bytes: Uint8Array, tag: number, code: DerErrorCode, what: string): DerElement {
  const reader = new DerReader(bytes, code);
  const element = reader.expect(tag, what);
  reader.end(what);
  return element;
}

function checkInteger(value: Uint8Array, reader: DerReader, what: string): Uint8Array {
  if (value.length === 0) reader.fail(`${what}: empty INTEGER`);
  if (value.length > 1) {
    const first = value[0] as number;
    const second = value[1] as number;
    if ((first === 0x00 && second < 0x80) || (first === 0xff && second >= 0x80)) {
      reader.fail(`${what}: non-minimal INTEGER encoding`);
    }
  }
  return value;
}

function smallNonNegative(value: Uint8Array, max: number, reader: DerReader, what: string): number {
  if ((value[0] as number) & 0x80) reader.fail(`${what}: negative value`);
  if (value.length > 7) reader.fail(`${what}: value too large`);
  let result = 0;
  for (const byte of value) result = result * 256 + byte;
  if (result > max) reader.fail(`${what}: value ${result} above ${max}`);
  return result;
}

function decodeOid(value: Uint8Array, reader: DerReader, what: string): string {
  if (value.length === 0) reader.fail(`${what}: empty OBJECT IDENTIFIER`);
  if (value.length > 64) reader.fail(`${what}: OBJECT IDENTIFIER too long`);
  const arcs: number[] = [];
  let arc = 0;
  let inArc = false;
  for (const byte of value) {
    if (!inArc && byte === 0x80) reader.fail(`${what}: non-minimal OBJECT IDENTIFIER arc`);
    if (arc > 2 ** 45) reader.fail(`${what}: OBJECT IDENTIFIER arc too large`);
    arc = arc * 128 + (byte & 0x7f);
    inArc = (byte & 0x80) !== 0;
    if (!inArc) {
      arcs.push(arc);
      arc = 0;
    }
  }
  if (inArc) reader.fail(`${what}: truncated OBJECT IDENTIFIER`);
  const first = arcs[0] as number;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join(".");
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

import { tryFromHex } from "../../bytes";
import { AttestationError } from "../errors";
import { TCB_STATUSES, type TcbStatus } from "../types";

/**
 * Strict readers for Intel's collateral JSON (TCB Info, QE Identity). Every read names the
 * field it was reading, so a refusal says exactly what was wrong. Hostile input never leaks
 * a SyntaxError or TypeError: everything becomes `COLLATERAL_MALFORMED`.
 */
export type JsonObject = Record<string, unknown>;

export function malformed(what: string, cause?: unknown): AttestationError {
  return new AttestationError("COLLATERAL_MALFORMED", `collateral: ${what}`, { cause });
}

export function parseJsonObject(text: string, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformed(`${what} is not valid JSON`, error);
  }
  return asObject(value, what);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw malformed(`${what} must be a JSON object`);
  }
  return value as JsonObject;
}

export function readObject(parent: JsonObject, key: string, what: string): JsonObject {
  return asObject(parent[key], `${what}.${key}`);
}

export function readArray(parent: JsonObject, key: string, what: string): unknown[] {
  const value = parent[key];
  if (!Array.isArray(value)) throw malformed(`${what}.${key} must be an array`);
  return value;
}

export function readString(parent: JsonObject, key: string, what: string): string {
  const value = parent[key];
  if (typeof value !== "string") throw malformed(`${what}.${key} must be a string`);
  return value;
}

/** An integer in `[0, max]`. */
export function readUint(parent: JsonObject, key: string, what: string, max: number): number {
  const value = parent[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw malformed(`${what}.${key} must be an integer in [0, ${max}]`);
  }
  return value;
}

/** Hex of exactly `length` bytes, either case (Intel serves both). */
export function readHexBytes(parent: JsonObject, key: string, what: string, length: number): Uint8Array {
  const text = readString(parent, key, what);
  const bytes = text.startsWith("0x") ? undefined : tryFromHex(text);
  if (!bytes || bytes.length !== length) {
    throw malformed(`${what}.${key} must be ${length} bytes of hex`);
  }
  return bytes;
}

const ISO_UTC_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** An RFC 3339 UTC timestamp (`2025-06-19T10:16:03Z`), as Intel writes them, in Unix seconds. */
export function readUtcTime(parent: JsonObject, key: string, what: string): number {
  const text = readString(parent, key, what);
  const millis = ISO_UTC_RE.test(text) ? Date.parse(text) : Number.NaN;
  // Round-trip the seconds so calendar-impossible dates (Feb 30) are refused, not rolled over.
  const valid = !Number.isNaN(millis) && new Date(millis).toISOString().slice(0, 19) === text.slice(0, 19);
  if (!valid) throw malformed(`${what}.${key} must be a UTC timestamp like 2025-01-31T00:00:00Z`);
  return Math.floor(millis / 1000);
}

export function readTcbStatus(parent: JsonObject, key: string, what: string): TcbStatus {
  const text = readString(parent, key, what);
  if (!(TCB_STATUSES as readonly string[]).includes(text)) {
    throw malformed(`${what}.${key} is not a known TCB status: ${JSON.stringify(text).slice(0, 60)}`);
  }
  return text as TcbStatus;
}

/** `advisoryIDs` is optional; absent means none. */
export function readAdvisoryIds(parent: JsonObject, what: string): string[] {
  if (parent.advisoryIDs === undefined) return [];
  const list = readArray(parent, "advisoryIDs", what);
  return list.map((id, index) => {
    if (typeof id !== "string" || id.length === 0 || id.length > 64) {
      throw malformed(`${what}.advisoryIDs[${index}] must be a non-empty string`);
    }
    return id;
  });
}

/** A non-empty array of objects, each read by `readItem`. */
export function readObjectList<T>(
  parent: JsonObject,
  key: string,
  what: string,
  readItem: (item: JsonObject, itemWhat: string) => T,
): T[] {
  const list = readArray(parent, key, what);
  if (list.length === 0) throw malformed(`${what}.${key} must not be empty`);
  return list.map((item, index) => {
    const itemWhat = `${what}.${key}[${index}]`;
    return readItem(asObject(item, itemWhat), itemWhat);
  });
}

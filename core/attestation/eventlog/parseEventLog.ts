import { bytesEqual, toHex, tryFromHex } from "../../bytes";
import { AttestationError } from "../errors";
import { dstackEventDigest } from "./digest";
import { assertRuntimeEventName, isRuntimeEvent, RTMR_COUNT, RTMR_SIZE, type TdxEvent } from "./event";

/**
 * Upper bound on events in one log. dstack logs hold about 30; a full firmware CCEL a few
 * hundred. The bound keeps a hostile log from costing unbounded hashing.
 */
export const MAX_EVENT_LOG_EVENTS = 4096;

/**
 * Parses a dstack event log. Accepts the shapes found in the wild: an array of events, a
 * JSON string holding that array (dstack GetQuoteResponse), or a dstack `tcb_info` object
 * (or its JSON text) with an `event_log` member.
 *
 * Runtime events (RTMR3, type 0x08000001) get their digest recomputed from name and
 * payload: an empty digest is filled in (some dstack versions omit it), and a given digest
 * that differs is refused with `EVENT_LOG_DIGEST_MISMATCH`. Other events keep the digest
 * given, which must be 48 bytes; their payloads are not re-hashed.
 *
 * Throws only `AttestationError` (`EVENT_LOG_MALFORMED`, `EVENT_LOG_DIGEST_MISMATCH`).
 */
export function parseEventLog(input: unknown): TdxEvent[] {
  const rawEvents = eventArray(input, 0);
  if (rawEvents.length > MAX_EVENT_LOG_EVENTS) {
    throw malformed(`event log has ${rawEvents.length} events, more than ${MAX_EVENT_LOG_EVENTS}`);
  }
  return rawEvents.map(parseEvent);
}

function malformed(message: string, cause?: unknown): AttestationError {
  return new AttestationError("EVENT_LOG_MALFORMED", message, cause === undefined ? undefined : { cause });
}

function eventArray(input: unknown, depth: number): unknown[] {
  if (Array.isArray(input)) return input;
  if (depth < 2 && typeof input === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (cause) {
      throw malformed("event log string is not JSON", cause);
    }
    return eventArray(parsed, depth + 1);
  }
  if (depth < 2 && typeof input === "object" && input !== null && "event_log" in input) {
    return eventArray((input as { event_log: unknown }).event_log, depth + 1);
  }
  throw malformed("event log must be an array of events, its JSON text, or an object with `event_log`");
}

function parseEvent(raw: unknown, index: number): TdxEvent {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw malformed(`event ${index} is not an object`);
  }
  const record = raw as Record<string, unknown>;
  const imr = integerField(record, "imr", index, RTMR_COUNT - 1);
  const eventType = integerField(record, "event_type", index, 0xffffffff);
  const name = stringField(record, "event", index);
  const payload = hexField(record, "event_payload", index);
  const givenDigest = hexField(record, "digest", index);
  if (givenDigest.length !== 0 && givenDigest.length !== RTMR_SIZE) {
    throw malformed(`event ${index}: digest must be ${RTMR_SIZE} bytes or empty, got ${givenDigest.length}`);
  }

  if (!isRuntimeEvent({ imr, eventType })) {
    if (givenDigest.length === 0) throw malformed(`event ${index}: a non-runtime event needs its digest`);
    return { imr, eventType, digest: givenDigest, name, payload };
  }
  assertRuntimeEventName(name);
  const digest = dstackEventDigest(name, payload, eventType);
  if (givenDigest.length !== 0 && !bytesEqual(givenDigest, digest)) {
    throw new AttestationError(
      "EVENT_LOG_DIGEST_MISMATCH",
      `event ${index} (${JSON.stringify(name)}): digest ${toHex(givenDigest)} is not the hash of its name and payload`,
    );
  }
  return { imr, eventType, digest, name, payload };
}

function integerField(record: Record<string, unknown>, key: string, index: number, max: number): number {
  const value = record[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw malformed(`event ${index}: \`${key}\` must be an integer 0..${max}`);
  }
  return value;
}

function stringField(record: Record<string, unknown>, key: string, index: number): string {
  const value = record[key];
  if (typeof value !== "string") throw malformed(`event ${index}: \`${key}\` must be a string`);
  return value;
}

function hexField(record: Record<string, unknown>, key: string, index: number): Uint8Array {
  const bytes = tryFromHex(stringField(record, key, index));
  if (!bytes) throw malformed(`event ${index}: \`${key}\` is not whole-byte hex`);
  return bytes;
}

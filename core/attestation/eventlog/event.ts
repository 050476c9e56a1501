import { toHex } from "../../bytes";
import { AttestationError } from "../errors";
import { DSTACK_RUNTIME_EVENT_TYPE } from "./digest";

/** Number of TDX runtime measurement registers, and the size of each (SHA-384). */
export const RTMR_COUNT = 4;
export const RTMR_SIZE = 48;
/** The RTMR that holds the app's runtime events (compose hash, app id, instance id). */
export const RUNTIME_RTMR_INDEX = 3;

/**
 * One measured event. For runtime events (RTMR3, type 0x08000001) `digest` is bound to
 * `name` and `payload` by `dstackEventDigest`. For any other event `name` and `payload`
 * are informational only: nothing binds them to the digest that was extended.
 */
export interface TdxEvent {
  /** 0..3: which RTMR this event extended. */
  imr: number;
  /** u32 event type (firmware TCG types, or dstack's 0x08000001 for runtime events). */
  eventType: number;
  /** 48 bytes: the value extended into the RTMR. */
  digest: Uint8Array;
  name: string;
  payload: Uint8Array;
}

/** An event as dstack writes it in JSON (hex fields, snake_case). */
export interface DstackEventJson {
  imr: number;
  event_type: number;
  digest: string;
  event: string;
  event_payload: string;
}

/** True for dstack runtime events, the only events whose name and payload are measured. */
export function isRuntimeEvent(event: Pick<TdxEvent, "imr" | "eventType">): boolean {
  return event.imr === RUNTIME_RTMR_INDEX && event.eventType === DSTACK_RUNTIME_EVENT_TYPE;
}

/**
 * Refuses runtime event names that would make the digest ambiguous. The digest covers
 * `name ‖ ":" ‖ payload`, so a name holding ":" could be re-split by whoever presents the
 * log (name "compose-hash:ab", payload "cd" hashes like name "compose-hash", payload
 * "ab:cd"). With no ":" in names, every digest has exactly one reading. Lone UTF-16
 * surrogates are refused because UTF-8 encoding would silently replace them.
 */
export function assertRuntimeEventName(name: string): void {
  if (name.includes(":")) {
    throw new AttestationError("EVENT_LOG_MALFORMED", `runtime event name ${JSON.stringify(name)} contains ":"`);
  }
  if (/\p{Cs}/u.test(name)) {
    throw new AttestationError("EVENT_LOG_MALFORMED", "runtime event name is not well-formed Unicode");
  }
}

/** The dstack JSON shape of one event (lowercase hex). */
export function eventToJson(event: TdxEvent): DstackEventJson {
  return {
    imr: event.imr,
    event_type: event.eventType,
    digest: toHex(event.digest),
    event: event.name,
    event_payload: toHex(event.payload),
  };
}

export function eventLogToJson(events: readonly TdxEvent[]): DstackEventJson[] {
  return events.map(eventToJson);
}

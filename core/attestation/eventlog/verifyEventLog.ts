import { bytesEqual, toHex } from "../../bytes";
import { AttestationError } from "../errors";
import type { TdReport } from "../types";
import { dstackEventDigest } from "./digest";
import { isRuntimeEvent, RUNTIME_RTMR_INDEX, type TdxEvent } from "./event";
import { replayRtmr } from "./replay";

/** The runtime events the KMS reads, by their dstack names. */
export const APP_ID_EVENT = "app-id";
export const COMPOSE_HASH_EVENT = "compose-hash";
export const INSTANCE_ID_EVENT = "instance-id";

/** A compose hash is a SHA-256. */
const COMPOSE_HASH_SIZE = 32;

export interface VerifiedEventLog {
  /** Payload of the `app-id` event (dstack: 20 bytes). Its length is not checked here. */
  appId: Uint8Array;
  /** Payload of the `compose-hash` event: 32 bytes. */
  composeHash: Uint8Array;
  /** Payload of the `instance-id` event (dstack: 20 bytes, or empty when the app has none). */
  instanceId: Uint8Array;
  /** The replayed RTMR3, equal to the quote's. */
  rtmr3: Uint8Array;
}

/**
 * Binds an event log to a quote and reads the app's identity from it:
 * 1. RTMR3 replayed from the log must equal the quote's RTMR3 (`EVENT_LOG_MISMATCH`);
 * 2. `app-id`, `compose-hash` and `instance-id` must each appear exactly once among the
 *    runtime events (`EVENT_LOG_EVENT_MISSING`, `EVENT_LOG_EVENT_DUPLICATED`), so a log
 *    cannot carry two answers and let a reader pick one.
 * Only runtime events count: for other event types the name is not measured.
 * `body` is the quote's TD report, already signature-checked by the caller.
 */
export function verifyEventLog(events: readonly TdxEvent[], body: Pick<TdReport, "rtmr3">): VerifiedEventLog {
  const rtmr3 = replayRtmr(events, RUNTIME_RTMR_INDEX);
  if (!bytesEqual(rtmr3, body.rtmr3)) {
    throw new AttestationError(
      "EVENT_LOG_MISMATCH",
      `RTMR3 replayed from the event log (${toHex(rtmr3)}) differs from the quote's (${toHex(body.rtmr3)})`,
    );
  }
  const appId = uniqueRuntimeEvent(events, APP_ID_EVENT).payload;
  const composeHash = uniqueRuntimeEvent(events, COMPOSE_HASH_EVENT).payload;
  const instanceId = uniqueRuntimeEvent(events, INSTANCE_ID_EVENT).payload;
  if (composeHash.length !== COMPOSE_HASH_SIZE) {
    throw new AttestationError(
      "EVENT_LOG_MALFORMED",
      `compose-hash event payload must be ${COMPOSE_HASH_SIZE} bytes, got ${composeHash.length}`,
    );
  }
  return { appId, composeHash, instanceId, rtmr3 };
}

/**
 * The one runtime event with this name. Its digest is re-derived from name and payload
 * here too, so events built without `parseEventLog` cannot claim a payload that differs
 * from what was extended.
 */
function uniqueRuntimeEvent(events: readonly TdxEvent[], name: string): TdxEvent {
  let found: TdxEvent | undefined;
  for (const event of events) {
    if (!isRuntimeEvent(event) || event.name !== name) continue;
    if (found) throw new AttestationError("EVENT_LOG_EVENT_DUPLICATED", `event log has more than one "${name}" event`);
    found = event;
  }
  if (!found) throw new AttestationError("EVENT_LOG_EVENT_MISSING", `event log has no "${name}" event`);
  if (!bytesEqual(found.digest, dstackEventDigest(found.name, found.payload, found.eventType))) {
    throw new AttestationError("EVENT_LOG_DIGEST_MISMATCH", `"${name}" event digest is not the hash of its payload`);
  }
  return found;
}

/**
 * Checks RTMR0..2 against the quote for every register the log has events for (dstack
 * logs include the firmware and kernel events; other guests may send RTMR3 only).
 * Returns the indices it checked. The KMS policy relies on the quote's RTMR0..2 through
 * the platform hash, not on this; it serves diagnostics and tests.
 */
export function verifyFirmwareRtmrs(
  events: readonly TdxEvent[],
  body: Pick<TdReport, "rtmr0" | "rtmr1" | "rtmr2">,
): number[] {
  const quoteValues = [body.rtmr0, body.rtmr1, body.rtmr2];
  const checked: number[] = [];
  for (let index = 0; index < quoteValues.length; index++) {
    if (!events.some((event) => event.imr === index)) continue;
    const replayed = replayRtmr(events, index);
    if (!bytesEqual(replayed, quoteValues[index]!)) {
      throw new AttestationError(
        "EVENT_LOG_MISMATCH",
        `RTMR${index} replayed from the event log (${toHex(replayed)}) differs from the quote's`,
      );
    }
    checked.push(index);
  }
  return checked;
}

import { AttestationError } from "../errors";
import { extendRtmr } from "./digest";
import { RTMR_COUNT, RTMR_SIZE, type TdxEvent } from "./event";

export type RtmrValues = [Uint8Array, Uint8Array, Uint8Array, Uint8Array];

/**
 * Replays all four RTMRs: each starts at 48 zero bytes, and every event in order does
 * `rtmr[imr] = SHA384(rtmr[imr] ‖ digest)`.
 * Events from `parseEventLog` are always well-formed; hand-built ones are checked too.
 */
export function replayRtmrs(events: readonly TdxEvent[]): RtmrValues {
  const rtmrs: RtmrValues = [
    new Uint8Array(RTMR_SIZE),
    new Uint8Array(RTMR_SIZE),
    new Uint8Array(RTMR_SIZE),
    new Uint8Array(RTMR_SIZE),
  ];
  for (const event of events) {
    assertReplayable(event);
    const imr = event.imr as 0 | 1 | 2 | 3;
    rtmrs[imr] = extendRtmr(rtmrs[imr], event.digest);
  }
  return rtmrs;
}

/** Replays one RTMR, skipping the events of the others. */
export function replayRtmr(events: readonly TdxEvent[], index: number): Uint8Array {
  let rtmr: Uint8Array = new Uint8Array(RTMR_SIZE);
  for (const event of events) {
    assertReplayable(event);
    if (event.imr === index) rtmr = extendRtmr(rtmr, event.digest);
  }
  return rtmr;
}

function assertReplayable(event: TdxEvent): void {
  if (!Number.isInteger(event.imr) || event.imr < 0 || event.imr >= RTMR_COUNT) {
    throw new AttestationError("EVENT_LOG_MALFORMED", `event imr ${event.imr} is not 0..${RTMR_COUNT - 1}`);
  }
  if (!(event.digest instanceof Uint8Array) || event.digest.length !== RTMR_SIZE) {
    throw new AttestationError("EVENT_LOG_MALFORMED", `event digest must be ${RTMR_SIZE} bytes`);
  }
}

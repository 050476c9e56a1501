import { sha384 } from "../../hash";
import { concatBytes, utf8 } from "../../bytes";

/** dstack's event type for runtime (RTMR3) events. */
export const DSTACK_RUNTIME_EVENT_TYPE = 0x08000001;

/**
 * Digest of a dstack runtime event (v1 scheme):
 * `SHA384(u32le(event_type) ‖ ":" ‖ name ‖ ":" ‖ payload)`.
 * The agent, the simulator and the verifier all call this one function.
 */
export function dstackEventDigest(
  name: string,
  payload: Uint8Array,
  eventType: number = DSTACK_RUNTIME_EVENT_TYPE,
): Uint8Array {
  const typeBytes = new Uint8Array(4);
  new DataView(typeBytes.buffer).setUint32(0, eventType >>> 0, true);
  return sha384(concatBytes(typeBytes, utf8(":"), utf8(name), utf8(":"), payload));
}

/** One RTMR extension: `mr = SHA384(mr ‖ digest)`. */
export function extendRtmr(current: Uint8Array, digest: Uint8Array): Uint8Array {
  return sha384(concatBytes(current, digest));
}

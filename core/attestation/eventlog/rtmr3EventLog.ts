import { dstackEventDigest, DSTACK_RUNTIME_EVENT_TYPE, extendRtmr } from "./digest";
import {
  assertRuntimeEventName,
  eventLogToJson,
  RTMR_SIZE,
  RUNTIME_RTMR_INDEX,
  type DstackEventJson,
  type TdxEvent,
} from "./event";

/**
 * The RTMR3 side of a TD as the agent or the simulator keeps it: each `extend` measures a
 * named runtime event the dstack way and records it, so `toJSON()` is exactly the log a
 * verifier replays to `rtmr3`. Extending the real register (configfs-tsm or the TDX
 * guest device) is the caller's I/O; this only tracks what was, or will be, extended.
 */
export class Rtmr3EventLog {
  readonly #events: TdxEvent[] = [];
  #rtmr3: Uint8Array = new Uint8Array(RTMR_SIZE);

  /**
   * Measures one runtime event and returns it (its `digest` is what to extend into RTMR3).
   * Names must not contain ":" (see `assertRuntimeEventName`).
   */
  extend(name: string, payload: Uint8Array): TdxEvent {
    assertRuntimeEventName(name);
    const event: TdxEvent = {
      imr: RUNTIME_RTMR_INDEX,
      eventType: DSTACK_RUNTIME_EVENT_TYPE,
      digest: dstackEventDigest(name, payload),
      name,
      payload: payload.slice(),
    };
    this.#rtmr3 = extendRtmr(this.#rtmr3, event.digest);
    this.#events.push(event);
    return event;
  }

  /** The RTMR3 value after every event so far (a copy). */
  get rtmr3(): Uint8Array {
    return this.#rtmr3.slice();
  }

  /** The events so far, in order. */
  get events(): readonly TdxEvent[] {
    return [...this.#events];
  }

  /** The log in dstack's JSON shape: `{imr: 3, event_type: 134217729, digest, event, event_payload}`. */
  toJSON(): DstackEventJson[] {
    return eventLogToJson(this.#events);
  }
}

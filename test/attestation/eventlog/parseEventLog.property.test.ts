import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEventLog } from "../../../core/attestation/eventlog/parseEventLog";
import { replayRtmrs } from "../../../core/attestation/eventlog/replay";
import { AttestationError } from "../../../core/attestation/errors";

const CODES = ["EVENT_LOG_MALFORMED", "EVENT_LOG_DIGEST_MISMATCH"];

function parseOrCode(input: unknown): string {
  try {
    replayRtmrs(parseEventLog(input));
    return "ok";
  } catch (error) {
    if (!(error instanceof AttestationError)) throw error;
    expect(CODES).toContain(error.code);
    return error.code;
  }
}

const hex = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((bytes) => Buffer.from(bytes).toString("hex"));

const eventLike = fc.record({
  imr: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constant("3")),
  event_type: fc.oneof(fc.constant(0x08000001), fc.integer({ min: -1, max: 2 ** 32 })),
  digest: fc.oneof(fc.constant(""), hex(48, 48), hex(0, 60), fc.string()),
  event: fc.oneof(fc.string(), fc.constantFrom("app-id", "compose-hash", "a:b")),
  event_payload: fc.oneof(hex(0, 40), fc.string()),
});

describe("parseEventLog properties", () => {
  it("throws only AttestationError with an event-log code on arbitrary JSON values", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => void parseOrCode(value)), { numRuns: 300 });
    fc.assert(fc.property(fc.string(), (text) => void parseOrCode(text)), { numRuns: 300 });
  });

  it("throws only AttestationError on arrays of nearly-valid events, as values or JSON text", () => {
    fc.assert(
      fc.property(fc.array(eventLike, { maxLength: 6 }), fc.boolean(), (events, asText) => {
        parseOrCode(asText ? JSON.stringify(events) : events);
      }),
      { numRuns: 500 },
    );
  });
});

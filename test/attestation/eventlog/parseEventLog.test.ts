import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../core/bytes";
import { dstackEventDigest } from "../../../core/attestation/eventlog/digest";
import { parseEventLog } from "../../../core/attestation/eventlog/parseEventLog";
import { AttestationError, type AttestationErrorCode } from "../../../core/attestation/errors";
import { loadEventLogVector, readVectorJson, readVectorText } from "../../helpers/vectors";

function expectRefusal(input: unknown, code: AttestationErrorCode): void {
  let thrown: unknown;
  try {
    parseEventLog(input);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe(code);
}

interface RawEvent {
  imr: number;
  event_type: number;
  digest: string;
  event: string;
  event_payload: string;
}

const s4Raw = JSON.parse(loadEventLogVector("S4") as string) as RawEvent[];
const composeHashIndex = s4Raw.findIndex((event) => event.event === "compose-hash");

function s4With(index: number, change: Partial<Record<keyof RawEvent, unknown>>): unknown[] {
  return s4Raw.map((event, i) => (i === index ? { ...event, ...change } : event));
}

describe("parseEventLog", () => {
  it("reads S3's array, S4's and S5's JSON strings, and S3's whole tcb_info object", () => {
    expect(parseEventLog(loadEventLogVector("S3"))).toHaveLength(29);
    expect(parseEventLog(loadEventLogVector("S4"))).toHaveLength(28);
    expect(parseEventLog(loadEventLogVector("S5"))).toHaveLength(29);
    expect(parseEventLog(readVectorJson("near-mpc/tcb_info.json"))).toHaveLength(29);
    expect(parseEventLog(readVectorText("near-mpc/tcb_info.json"))).toHaveLength(29);
  });

  it("keeps every field of an event as bytes and numbers", () => {
    const events = parseEventLog(loadEventLogVector("S4"));
    const raw = s4Raw[composeHashIndex]!;
    const event = events[composeHashIndex]!;
    expect(event).toMatchObject({ imr: 3, eventType: 0x08000001, name: "compose-hash" });
    expect(toHex(event.digest)).toBe(raw.digest);
    expect(toHex(event.payload)).toBe(raw.event_payload);
    const firmware = events[0]!;
    expect(firmware.imr).toBe(0);
    expect(firmware.eventType).toBe(s4Raw[0]!.event_type);
    expect(toHex(firmware.digest)).toBe(s4Raw[0]!.digest);
  });

  it("fills S5's empty RTMR3 digests with the dstack digest of name and payload", () => {
    const raw = JSON.parse(loadEventLogVector("S5") as string) as RawEvent[];
    const events = parseEventLog(raw);
    const runtime = events.filter((event) => event.imr === 3);
    expect(runtime.map((event) => event.name)).toEqual([
      "system-preparing", "app-id", "compose-hash", "instance-id", "boot-mr-done",
      "os-image-hash", "key-provider", "storage-fs", "system-ready",
    ]);
    for (const [index, event] of events.entries()) {
      if (event.imr !== 3) continue;
      expect(raw[index]!.digest).toBe("");
      expect(toHex(event.digest)).toBe(toHex(dstackEventDigest(event.name, event.payload)));
    }
  });

  it("agrees with every digest dstack wrote for the runtime events of S3 and S4", () => {
    for (const set of ["S3", "S4"] as const) {
      const input = loadEventLogVector(set);
      const raw = (typeof input === "string" ? JSON.parse(input) : input) as RawEvent[];
      const runtime = raw.filter((event) => event.imr === 3);
      expect(runtime.length).toBeGreaterThan(0);
      for (const event of runtime) {
        expect(toHex(dstackEventDigest(event.event, Buffer.from(event.event_payload, "hex")))).toBe(event.digest);
      }
    }
  });

  it("refuses a runtime event whose digest is not the hash of its name and payload", () => {
    expectRefusal(s4With(composeHashIndex, { event_payload: "00".repeat(32) }), "EVENT_LOG_DIGEST_MISMATCH");
    expectRefusal(s4With(composeHashIndex, { event: "compose-hash2" }), "EVENT_LOG_DIGEST_MISMATCH");
  });

  it("refuses a runtime event name holding ':' (it would make the digest ambiguous)", () => {
    const nameWithColon = dstackEventDigest("compose-hash:ab", utf8("cd"));
    const payloadWithColon = dstackEventDigest("compose-hash", utf8("ab:cd"));
    expect(toHex(nameWithColon)).toBe(toHex(payloadWithColon)); // two readings, one digest
    expectRefusal(
      s4With(composeHashIndex, { event: "compose-hash:ab", event_payload: toHex(utf8("cd")), digest: toHex(nameWithColon) }),
      "EVENT_LOG_MALFORMED",
    );
    expectRefusal(s4With(composeHashIndex, { event: "app-id\uD800", digest: "" }), "EVENT_LOG_MALFORMED");
  });

  it("refuses logs and events of the wrong shape", () => {
    expectRefusal(undefined, "EVENT_LOG_MALFORMED");
    expectRefusal(null, "EVENT_LOG_MALFORMED");
    expectRefusal(42, "EVENT_LOG_MALFORMED");
    expectRefusal("not json", "EVENT_LOG_MALFORMED");
    expectRefusal("{}", "EVENT_LOG_MALFORMED");
    expectRefusal({ events: [] }, "EVENT_LOG_MALFORMED");
    expectRefusal(JSON.stringify(JSON.stringify(JSON.stringify([]))), "EVENT_LOG_MALFORMED");
    expectRefusal([null], "EVENT_LOG_MALFORMED");
    expectRefusal([[]], "EVENT_LOG_MALFORMED");
    expectRefusal(new Array(4097).fill(s4Raw[0]), "EVENT_LOG_MALFORMED");
  });

  it("refuses bad imr, event_type, hex and digest lengths", () => {
    const cases: Partial<Record<keyof RawEvent, unknown>>[] = [
      { imr: 4 },
      { imr: -1 },
      { imr: 1.5 },
      { imr: "3" },
      { event_type: -1 },
      { event_type: 2 ** 32 },
      { event_type: undefined },
      { event: 7 },
      { event_payload: "abc" },
      { event_payload: "zz" },
      { event_payload: undefined },
      { digest: "00".repeat(47) },
      { digest: "xyz" },
      { digest: undefined },
    ];
    for (const change of cases) expectRefusal(s4With(composeHashIndex, change), "EVENT_LOG_MALFORMED");
  });

  it("refuses a firmware event with an empty digest (it cannot be recomputed)", () => {
    expectRefusal(s4With(0, { digest: "" }), "EVENT_LOG_MALFORMED");
  });

  it("accepts an empty log", () => {
    expect(parseEventLog([])).toEqual([]);
    expect(parseEventLog("[]")).toEqual([]);
  });
});

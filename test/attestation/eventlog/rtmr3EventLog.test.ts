import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../core/bytes";
import { DSTACK_RUNTIME_EVENT_TYPE, dstackEventDigest, extendRtmr } from "../../../core/attestation/eventlog/digest";
import { parseEventLog } from "../../../core/attestation/eventlog/parseEventLog";
import { replayRtmr } from "../../../core/attestation/eventlog/replay";
import { Rtmr3EventLog } from "../../../core/attestation/eventlog/rtmr3EventLog";
import { verifyEventLog } from "../../../core/attestation/eventlog/verifyEventLog";
import { AttestationError } from "../../../core/attestation/errors";
import { loadEventLogVector } from "../../helpers/vectors";

describe("Rtmr3EventLog", () => {
  it("starts at 48 zero bytes and extends with the dstack digest of each event", () => {
    const log = new Rtmr3EventLog();
    expect(toHex(log.rtmr3)).toBe("00".repeat(48));
    const event = log.extend("app-id", new Uint8Array(20).fill(7));
    expect(event).toMatchObject({ imr: 3, eventType: DSTACK_RUNTIME_EVENT_TYPE, name: "app-id" });
    expect(toHex(event.digest)).toBe(toHex(dstackEventDigest("app-id", new Uint8Array(20).fill(7))));
    expect(toHex(log.rtmr3)).toBe(toHex(extendRtmr(new Uint8Array(48), event.digest)));
  });

  it("reproduces S4's RTMR3 from its runtime events' names and payloads", () => {
    const events = parseEventLog(loadEventLogVector("S4"));
    const log = new Rtmr3EventLog();
    for (const event of events) if (event.imr === 3) log.extend(event.name, event.payload);
    expect(toHex(log.rtmr3)).toBe(toHex(replayRtmr(events, 3)));
  });

  it("exports dstack's JSON shape, which parses and replays back to the same RTMR3", () => {
    const log = new Rtmr3EventLog();
    log.extend("app-id", new Uint8Array(20).fill(1));
    log.extend("compose-hash", new Uint8Array(32).fill(2));
    log.extend("instance-id", new Uint8Array(20).fill(3));
    const json = JSON.parse(JSON.stringify(log)) as unknown[];
    expect(json[1]).toEqual({
      imr: 3,
      event_type: 134217729,
      digest: toHex(dstackEventDigest("compose-hash", new Uint8Array(32).fill(2))),
      event: "compose-hash",
      event_payload: "02".repeat(32),
    });
    const replayed = parseEventLog(JSON.stringify(json));
    const verified = verifyEventLog(replayed, { rtmr3: log.rtmr3 });
    expect(toHex(verified.composeHash)).toBe("02".repeat(32));
    expect(toHex(verified.rtmr3)).toBe(toHex(log.rtmr3));
  });

  it("keeps its own copies: changing a returned value or a payload later changes nothing", () => {
    const log = new Rtmr3EventLog();
    const payload = utf8("hello");
    log.extend("greeting", payload);
    const before = toHex(log.rtmr3);
    payload[0] = 0;
    log.rtmr3.fill(9);
    (log.events as unknown[]).length = 0;
    expect(toHex(log.rtmr3)).toBe(before);
    expect(log.events).toHaveLength(1);
    expect(toHex(log.events[0]!.payload)).toBe(toHex(utf8("hello")));
  });

  it("refuses event names holding ':'", () => {
    expect(() => new Rtmr3EventLog().extend("compose-hash:x", new Uint8Array())).toThrowError(
      expect.objectContaining({ code: "EVENT_LOG_MALFORMED" }),
    );
    expect(() => new Rtmr3EventLog().extend("a:b", new Uint8Array())).toThrowError(AttestationError);
  });
});

import { describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import { dstackEventDigest } from "../../../core/attestation/eventlog/digest";
import type { TdxEvent } from "../../../core/attestation/eventlog/event";
import { parseEventLog } from "../../../core/attestation/eventlog/parseEventLog";
import { replayRtmr } from "../../../core/attestation/eventlog/replay";
import { verifyEventLog, verifyFirmwareRtmrs } from "../../../core/attestation/eventlog/verifyEventLog";
import { Rtmr3EventLog } from "../../../core/attestation/eventlog/rtmr3EventLog";
import { AttestationError, type AttestationErrorCode } from "../../../core/attestation/errors";
import { parseQuote } from "../../../core/attestation/quote/parseQuote";
import { loadEventLogVector, loadQuoteVector, readVectorJson } from "../../helpers/vectors";

function expectRefusal(action: () => unknown, code: AttestationErrorCode): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe(code);
}

/** A quote body whose RTMR3 is whatever these events replay to: isolates the named-event checks. */
function bodyMatching(events: readonly TdxEvent[]): { rtmr3: Uint8Array } {
  return { rtmr3: replayRtmr(events, 3) };
}

function runtimeLog(entries: [string, Uint8Array][]): readonly TdxEvent[] {
  const log = new Rtmr3EventLog();
  for (const [name, payload] of entries) log.extend(name, payload);
  return log.events;
}

const appId = new Uint8Array(20).fill(0xaa);
const composeHash = new Uint8Array(32).fill(0xcc);
const instanceId = new Uint8Array(20).fill(0x11);

describe("verifyEventLog on the real vectors", () => {
  it("reads app-id, compose-hash and instance-id from S3, and compose-hash equals tcb_info's compose_hash", () => {
    const tcbInfo = readVectorJson<{ compose_hash: string; rtmr3: string }>("near-mpc/tcb_info.json");
    const body = parseQuote(loadQuoteVector("S3")).body;
    const verified = verifyEventLog(parseEventLog(loadEventLogVector("S3")), body);
    expect(toHex(verified.composeHash)).toBe(tcbInfo.compose_hash);
    expect(toHex(verified.appId)).toBe("2911e1f733466216dedb862d6d669e11256ee7a3");
    expect(toHex(verified.instanceId)).toBe(""); // this app has no instance id
    expect(toHex(verified.rtmr3)).toBe(tcbInfo.rtmr3);
    // dstack puts 0x01 ‖ compose hash into MRCONFIGID.
    expect(toHex(body.mrConfigId)).toBe(`01${tcbInfo.compose_hash}${"00".repeat(15)}`);
  });

  it("reads the app identity from S4 and S5 (whose RTMR3 digests were empty)", () => {
    const s4 = verifyEventLog(parseEventLog(loadEventLogVector("S4")), parseQuote(loadQuoteVector("S4")).body);
    expect(toHex(s4.appId)).toBe("3763bc34552cf3a27ff71ad5f7a90471562a1a2d");
    expect(toHex(s4.composeHash)).toBe("3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7");
    expect(toHex(s4.instanceId)).toBe("c3714eb66990eace777b4e664c16e09375dec4c9");

    const s5Body = parseQuote(loadQuoteVector("S5")).body;
    const s5 = verifyEventLog(parseEventLog(loadEventLogVector("S5")), s5Body);
    expect(toHex(s5.appId)).toBe("86b0e55f2fa8e4fb69d890f14f54d5612707646e");
    expect(toHex(s5.composeHash)).toBe("86b0e55f2fa8e4fb69d890f14f54d5612707646e2573d54e0d2ddaaade77caa9");
    expect(toHex(s5.instanceId)).toBe("050bf89570575fe8fab4cb8f0a62a9e64efe8ead");
    expect(toHex(s5Body.mrConfigId).slice(0, 66)).toBe(`01${toHex(s5.composeHash)}`);
  });

  it("refuses a log whose RTMR3 replay differs from the quote's RTMR3", () => {
    const events = parseEventLog(loadEventLogVector("S4"));
    expectRefusal(() => verifyEventLog(events, parseQuote(loadQuoteVector("S3")).body), "EVENT_LOG_MISMATCH");
    expectRefusal(() => verifyEventLog(events.slice(0, -1), parseQuote(loadQuoteVector("S4")).body), "EVENT_LOG_MISMATCH");
    // A log for a quote that measured nothing into RTMR3 (S1) does not match either.
    expectRefusal(() => verifyEventLog(events, parseQuote(loadQuoteVector("S1")).body), "EVENT_LOG_MISMATCH");
  });

  it("checks RTMR0..2 of S3, S4 and S5 against their quotes", () => {
    for (const set of ["S3", "S4", "S5"] as const) {
      const events = parseEventLog(loadEventLogVector(set));
      expect(verifyFirmwareRtmrs(events, parseQuote(loadQuoteVector(set)).body)).toEqual([0, 1, 2]);
    }
  });

  it("refuses firmware events that do not replay to the quote's RTMR0..2, and skips registers with no events", () => {
    const events = parseEventLog(loadEventLogVector("S4"));
    const body = parseQuote(loadQuoteVector("S4")).body;
    expectRefusal(() => verifyFirmwareRtmrs(events, parseQuote(loadQuoteVector("S5")).body), "EVENT_LOG_MISMATCH");
    const firstRtmr1Event = events.findIndex((event) => event.imr === 1);
    const oneDropped = events.filter((_, index) => index !== firstRtmr1Event);
    expectRefusal(() => verifyFirmwareRtmrs(oneDropped, body), "EVENT_LOG_MISMATCH");
    const noRtmr1Events = events.filter((event) => event.imr !== 1);
    expect(verifyFirmwareRtmrs(noRtmr1Events, body)).toEqual([0, 2]);
  });
});

describe("verifyEventLog rules", () => {
  it("accepts a log with each identity event exactly once, among other events", () => {
    const events = runtimeLog([
      ["system-preparing", new Uint8Array()],
      ["app-id", appId],
      ["compose-hash", composeHash],
      ["instance-id", instanceId],
      ["system-ready", new Uint8Array()],
    ]);
    const verified = verifyEventLog(events, bodyMatching(events));
    expect(toHex(verified.appId)).toBe(toHex(appId));
    expect(toHex(verified.composeHash)).toBe(toHex(composeHash));
    expect(toHex(verified.instanceId)).toBe(toHex(instanceId));
  });

  for (const missing of ["app-id", "compose-hash", "instance-id"]) {
    it(`refuses a log without a "${missing}" event`, () => {
      const entries: [string, Uint8Array][] = [
        ["app-id", appId],
        ["compose-hash", composeHash],
        ["instance-id", instanceId],
      ];
      const events = runtimeLog(entries.filter(([name]) => name !== missing));
      expectRefusal(() => verifyEventLog(events, bodyMatching(events)), "EVENT_LOG_EVENT_MISSING");
    });

    it(`refuses a log with two "${missing}" events`, () => {
      const events = runtimeLog([
        ["app-id", appId],
        ["compose-hash", composeHash],
        ["instance-id", instanceId],
        [missing, missing === "compose-hash" ? new Uint8Array(32) : new Uint8Array(20)],
      ]);
      expectRefusal(() => verifyEventLog(events, bodyMatching(events)), "EVENT_LOG_EVENT_DUPLICATED");
    });
  }

  it("ignores identity names on events that are not dstack runtime events (their names are not measured)", () => {
    const runtime = runtimeLog([
      ["app-id", appId],
      ["compose-hash", composeHash],
      ["instance-id", instanceId],
    ]);
    const forged: TdxEvent = {
      imr: 3,
      eventType: 0x80000001,
      digest: new Uint8Array(48),
      name: "compose-hash",
      payload: new Uint8Array(32).fill(0xee),
    };
    const events = [...runtime, forged];
    expect(toHex(verifyEventLog(events, bodyMatching(events)).composeHash)).toBe(toHex(composeHash));
  });

  it("refuses a hand-built identity event whose digest does not cover its payload", () => {
    const events = runtimeLog([
      ["app-id", appId],
      ["compose-hash", composeHash],
      ["instance-id", instanceId],
    ]).map((event) => (event.name === "app-id" ? { ...event, payload: new Uint8Array(20) } : event));
    expectRefusal(() => verifyEventLog(events, bodyMatching(events)), "EVENT_LOG_DIGEST_MISMATCH");
  });

  it("refuses a compose-hash payload that is not 32 bytes", () => {
    const events = runtimeLog([
      ["app-id", appId],
      ["compose-hash", new Uint8Array(31)],
      ["instance-id", instanceId],
    ]);
    expectRefusal(() => verifyEventLog(events, bodyMatching(events)), "EVENT_LOG_MALFORMED");
  });

  it("checks RTMR3 before reading names, so a mismatching log never yields an identity", () => {
    const events = runtimeLog([["app-id", appId]]);
    expectRefusal(() => verifyEventLog(events, { rtmr3: new Uint8Array(48) }), "EVENT_LOG_MISMATCH");
    expect(toHex(dstackEventDigest("app-id", appId))).toBe(toHex(events[0]!.digest));
  });
});

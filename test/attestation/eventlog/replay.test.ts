import { describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import { parseEventLog } from "../../../core/attestation/eventlog/parseEventLog";
import { replayRtmr, replayRtmrs } from "../../../core/attestation/eventlog/replay";
import type { TdxEvent } from "../../../core/attestation/eventlog/event";
import { AttestationError } from "../../../core/attestation/errors";
import { parseQuote } from "../../../core/attestation/quote/parseQuote";
import { loadEventLogVector, loadQuoteVector, readVectorJson, type EventLogVectorSet } from "../../helpers/vectors";

const SETS: EventLogVectorSet[] = ["S3", "S4", "S5"];

describe("replayRtmrs", () => {
  for (const set of SETS) {
    it(`replays all four RTMRs of ${set}'s event log to the quote's values`, () => {
      const body = parseQuote(loadQuoteVector(set)).body;
      const rtmrs = replayRtmrs(parseEventLog(loadEventLogVector(set)));
      expect(rtmrs.map(toHex)).toEqual([body.rtmr0, body.rtmr1, body.rtmr2, body.rtmr3].map(toHex));
    });
  }

  it("matches the RTMRs dstack recorded next to S3's event log", () => {
    const tcbInfo = readVectorJson<Record<string, string>>("near-mpc/tcb_info.json");
    const rtmrs = replayRtmrs(parseEventLog(tcbInfo["event_log"]));
    expect(rtmrs.map(toHex)).toEqual([tcbInfo["rtmr0"], tcbInfo["rtmr1"], tcbInfo["rtmr2"], tcbInfo["rtmr3"]]);
  });

  it("starts every RTMR at 48 zero bytes", () => {
    expect(replayRtmrs([]).map(toHex)).toEqual(new Array(4).fill("00".repeat(48)));
  });

  it("replays one RTMR alone to the same value as the full replay", () => {
    const events = parseEventLog(loadEventLogVector("S4"));
    const all = replayRtmrs(events);
    for (const index of [0, 1, 2, 3]) expect(toHex(replayRtmr(events, index))).toBe(toHex(all[index]!));
  });

  it("depends on event order", () => {
    const events = parseEventLog(loadEventLogVector("S4")).filter((event) => event.imr === 3);
    const swapped = [events[1]!, events[0]!, ...events.slice(2)];
    expect(toHex(replayRtmr(swapped, 3))).not.toBe(toHex(replayRtmr(events, 3)));
  });

  it("refuses hand-built events with a bad imr or digest size", () => {
    const good: TdxEvent = { imr: 3, eventType: 1, digest: new Uint8Array(48), name: "", payload: new Uint8Array() };
    for (const bad of [{ ...good, imr: 4 }, { ...good, imr: -1 }, { ...good, digest: new Uint8Array(32) }]) {
      expect(() => replayRtmrs([bad])).toThrowError(AttestationError);
      expect(() => replayRtmr([bad], 3)).toThrowError(expect.objectContaining({ code: "EVENT_LOG_MALFORMED" }));
    }
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../../core/bytes";
import { dstackEventDigest, extendRtmr } from "../../../core/attestation/eventlog/digest";
import { issueCollateral } from "../../../core/attestation/simulator/collateral";
import { createDevPki } from "../../../core/attestation/simulator/devPki";
import { SimulatorError } from "../../../core/attestation/simulator/errors";
import { TdxSimulator } from "../../../core/attestation/simulator/tdxSimulator";
import { VECTORS, splitV4Quote } from "./helpers";

const NOW = Date.UTC(2026, 5, 1) / 1000;
const composeHash = fromHex("ab".repeat(32));

function bootedSimulator(): TdxSimulator {
  const simulator = new TdxSimulator();
  simulator.extendRtmr3("app-id", fromHex("11".repeat(20)));
  simulator.extendRtmr3("compose-hash", composeHash);
  simulator.extendRtmr3("instance-id", fromHex("22".repeat(20)));
  simulator.extendRtmr3("system-ready", new Uint8Array(0));
  return simulator;
}

describe("TdxSimulator", () => {
  it("starts with RTMR3 at 48 zero bytes and an empty log", () => {
    const simulator = new TdxSimulator();
    expect(toHex(simulator.rtmr3())).toBe("00".repeat(48));
    expect(simulator.eventLog()).toEqual([]);
  });

  it("extends RTMR3 so that replaying its event log gives RTMR3", () => {
    const simulator = bootedSimulator();
    let replayed: Uint8Array = new Uint8Array(48);
    for (const event of simulator.eventLog()) {
      expect(event.digest).toBe(toHex(dstackEventDigest(event.event, fromHex(event.event_payload))));
      replayed = extendRtmr(replayed, fromHex(event.digest));
    }
    expect(toHex(replayed)).toBe(toHex(simulator.rtmr3()));
  });

  it("writes events in dstack's shape, member for member", () => {
    const dstack = JSON.parse(readFileSync(join(VECTORS, "near-mpc/tcb_info.json"), "utf8"));
    const dstackEvent = dstack.event_log.find((event: { imr: number }) => event.imr === 3);
    const [event] = bootedSimulator().eventLog();
    expect(Object.keys(event!)).toEqual(Object.keys(dstackEvent));
    expect(event).toEqual({
      imr: 3,
      event_type: 134217729,
      digest: toHex(dstackEventDigest("app-id", fromHex("11".repeat(20)))),
      event: "app-id",
      event_payload: "11".repeat(20),
    });
  });

  it("hands out copies of the log, so callers cannot rewrite history", () => {
    const simulator = bootedSimulator();
    const log = simulator.eventLog();
    log[0]!.event = "forged";
    log.pop();
    expect(simulator.eventLog()[0]!.event).toBe("app-id");
    expect(simulator.eventLog()).toHaveLength(4);
    simulator.rtmr3().fill(0xff);
    expect(toHex(simulator.rtmr3())).not.toBe("ff".repeat(48));
  });

  it("quotes the fixed measurements, the current RTMR3 and the given report data", () => {
    const simulator = bootedSimulator();
    const reportData = new Uint8Array(64).fill(0x5a);
    const body = splitV4Quote(simulator.getQuote(reportData)).body;
    expect(toHex(body.subarray(136, 184))).toBe(toHex(simulator.measurements.mrTd));
    expect(toHex(body.subarray(328, 376))).toBe(toHex(simulator.measurements.rtmr0));
    expect(toHex(body.subarray(472, 520))).toBe(toHex(simulator.rtmr3()));
    expect(toHex(body.subarray(520, 584))).toBe(toHex(reportData));
    simulator.extendRtmr3("late-event", utf8("x"));
    expect(toHex(splitV4Quote(simulator.getQuote(reportData)).body.subarray(472, 520))).toBe(toHex(simulator.rtmr3()));
  });

  it("has deterministic default measurements, overridable per TD", () => {
    const mrConfigId = new Uint8Array(48);
    mrConfigId[0] = 1;
    mrConfigId.set(composeHash, 1);
    const simulator = new TdxSimulator({ measurements: { mrConfigId } });
    expect(toHex(simulator.measurements.mrTd)).toBe(toHex(new TdxSimulator().measurements.mrTd));
    const body = splitV4Quote(simulator.getQuote(new Uint8Array(64))).body;
    expect(toHex(body.subarray(184, 232))).toBe(toHex(mrConfigId));
    expect(toHex(body.subarray(120, 128))).toBe("0000001000000000");
  });

  it("is deterministic: the same events give byte-identical quotes", () => {
    const reportData = new Uint8Array(64).fill(1);
    expect(toHex(bootedSimulator().getQuote(reportData))).toBe(toHex(bootedSimulator().getQuote(reportData)));
  });

  it("shares a given PKI and issues that PKI's collateral", () => {
    const pki = createDevPki({ machineId: "machine-7" });
    const simulator = new TdxSimulator({ pki });
    expect(simulator.pki).toBe(pki);
    expect(simulator.collateral(NOW)).toEqual(issueCollateral(pki, { now: NOW }));
    expect(new TdxSimulator({ pki: { machineId: "machine-7" } }).pki.pckLeaf.der).toEqual(pki.pckLeaf.der);
  });

  it("applies quote overrides for negative tests (a debug TD)", () => {
    const simulator = new TdxSimulator({ quoteOverrides: { tdAttributes: fromHex("0100001000000000") } });
    expect(toHex(splitV4Quote(simulator.getQuote(new Uint8Array(64))).body.subarray(120, 128))).toBe("0100001000000000");
  });

  it("refuses an event name that is empty or holds the ':' separator", () => {
    const simulator = new TdxSimulator();
    for (const name of ["", "app:id"]) {
      expect(() => simulator.extendRtmr3(name, new Uint8Array(0))).toThrow(
        expect.objectContaining({ code: "SIMULATOR_ENCODING_INVALID" }),
      );
    }
    expect(simulator.eventLog()).toEqual([]);
  });

  it("refuses a measurement of the wrong length", () => {
    expect(() => new TdxSimulator({ measurements: { rtmr0: new Uint8Array(47) } })).toThrow(SimulatorError);
    expect(() => new TdxSimulator({ measurements: { xfam: new Uint8Array(48) } })).toThrow(
      expect.objectContaining({ code: "SIMULATOR_FIELD_LENGTH" }),
    );
  });

  it("refuses report data that is not 64 bytes", () => {
    expect(() => new TdxSimulator().getQuote(new Uint8Array(63))).toThrow(expect.objectContaining({ code: "SIMULATOR_FIELD_LENGTH" }));
  });
});

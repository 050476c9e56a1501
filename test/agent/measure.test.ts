import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { dstackEventDigest, eventLogToJson, parseEventLog, replayRtmr, verifyEventLog } from "../../core/attestation/eventlog";
import { parseQuote } from "../../core/attestation/quote";
import { TdxSimulator } from "../../core/attestation/simulator";
import { AgentError } from "../../agent/errors";
import { appComposeHash, parseAppId, parseInstanceId, type AppIdentity } from "../../agent/identity";
import { getBoundQuote } from "../../agent/measure/boundQuote";
import { measureApp } from "../../agent/measure/measureApp";
import type { MeasurementProvider } from "../../agent/measure/provider";
import { createSimulatorProvider } from "../../agent/measure/simulatorProvider";
import { APP_COMPOSE, APP_ID, INSTANCE_ID } from "./helpers/bootFixture";

const IDENTITY: AppIdentity = { appId: APP_ID, composeHash: appComposeHash(APP_COMPOSE), instanceId: INSTANCE_ID };
const temporaryDirs: string[] = [];

afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "basekms-agent-measure-"));
  temporaryDirs.push(dir);
  return dir;
}

function expectCode(error: unknown, code: string): void {
  expect(error).toBeInstanceOf(AgentError);
  expect((error as AgentError).code).toBe(code);
}

describe("measureApp", () => {
  it("extends app-id, compose-hash, instance-id in that order, and the log replays to the simulator's RTMR3", async () => {
    const simulator = new TdxSimulator();
    const provider = createSimulatorProvider({ simulator });
    const result = await measureApp(provider, IDENTITY);
    expect(result.extended).toBe(3);
    const events = provider.eventLog();
    expect(events.map((event) => event.name)).toEqual(["app-id", "compose-hash", "instance-id"]);
    expect(events.map((event) => toHex(event.payload))).toEqual([toHex(APP_ID), toHex(IDENTITY.composeHash), toHex(INSTANCE_ID)]);
    for (const event of events) expect(toHex(event.digest)).toBe(toHex(dstackEventDigest(event.name, event.payload)));
    expect(toHex(replayRtmr(events, 3))).toBe(toHex(simulator.rtmr3()));
  });

  it("produces the dstack JSON event log the KMS verifies against the quote's RTMR3", async () => {
    const provider = createSimulatorProvider();
    await measureApp(provider, IDENTITY);
    const log = eventLogToJson(provider.eventLog());
    for (const event of log) expect(Object.keys(event).sort()).toEqual(["digest", "event", "event_payload", "event_type", "imr"]);
    expect(log[1]).toEqual({
      imr: 3,
      event_type: 0x08000001,
      digest: toHex(dstackEventDigest("compose-hash", IDENTITY.composeHash)),
      event: "compose-hash",
      event_payload: toHex(IDENTITY.composeHash),
    });
    const { quote } = await getBoundQuote(provider, new Uint8Array(64).fill(9));
    const verified = verifyEventLog(parseEventLog(JSON.parse(JSON.stringify(log))), parseQuote(quote).body);
    expect(toHex(verified.appId)).toBe(toHex(APP_ID));
    expect(toHex(verified.composeHash)).toBe(toHex(IDENTITY.composeHash));
    expect(toHex(verified.instanceId)).toBe(toHex(INSTANCE_ID));
  });

  it("extends nothing when this boot already measured the same app", async () => {
    const provider = createSimulatorProvider();
    await measureApp(provider, IDENTITY);
    const again = await measureApp(provider, IDENTITY);
    expect(again.extended).toBe(0);
    expect(provider.eventLog()).toHaveLength(3);
  });

  it("continues after a crash between two extensions", async () => {
    const provider = createSimulatorProvider();
    await provider.extendRtmr3("app-id", APP_ID);
    const result = await measureApp(provider, IDENTITY);
    expect(result.extended).toBe(2);
    expect(provider.eventLog().map((event) => event.name)).toEqual(["app-id", "compose-hash", "instance-id"]);
  });

  it.each([
    ["another app id", { ...IDENTITY, appId: new Uint8Array(20).fill(1) }],
    ["another compose hash", { ...IDENTITY, composeHash: new Uint8Array(32).fill(1) }],
    ["another instance id", { ...IDENTITY, instanceId: new Uint8Array(0) }],
  ])("refuses to measure %s in a boot that measured one already: MEASUREMENT_CONFLICT", async (_label, other) => {
    const provider = createSimulatorProvider();
    await measureApp(provider, IDENTITY);
    await expect(measureApp(provider, other)).rejects.toSatisfy((error) => {
      expectCode(error, "MEASUREMENT_CONFLICT");
      return true;
    });
    expect(provider.eventLog()).toHaveLength(3);
  });

  it("refuses a log whose app events are out of order: MEASUREMENT_CONFLICT", async () => {
    const provider = createSimulatorProvider();
    await provider.extendRtmr3("compose-hash", IDENTITY.composeHash);
    await expect(measureApp(provider, IDENTITY)).rejects.toMatchObject({ code: "MEASUREMENT_CONFLICT" });
  });
});

describe("simulator provider", () => {
  it("persists its event log, and a restarted agent continues the same simulated boot", async () => {
    const eventLogFile = path.join(temporaryDir(), "run", "rtmr3.json");
    const first = createSimulatorProvider({ eventLogFile });
    await measureApp(first, IDENTITY);
    const saved = JSON.parse(readFileSync(eventLogFile, "utf8")) as Array<{ event: string }>;
    expect(saved.map((event) => event.event)).toEqual(["app-id", "compose-hash", "instance-id"]);
    const restarted = createSimulatorProvider({ eventLogFile });
    expect(toHex(restarted.simulator.rtmr3())).toBe(toHex(first.simulator.rtmr3()));
    expect((await measureApp(restarted, IDENTITY)).extended).toBe(0);
  });

  it("is tainted as simulator-quotes", () => {
    expect(createSimulatorProvider().taint).toEqual(["simulator-quotes"]);
  });
});

describe("getBoundQuote", () => {
  it("refuses a quote over another report_data: QUOTE_FAILED", async () => {
    const simulator = new TdxSimulator();
    const confused: MeasurementProvider = {
      ...createSimulatorProvider({ simulator }),
      getQuote: async () => simulator.getQuote(new Uint8Array(64)),
    };
    await expect(getBoundQuote(confused, new Uint8Array(64).fill(1))).rejects.toMatchObject({ code: "QUOTE_FAILED" });
  });

  it("refuses bytes that are not a quote: QUOTE_FAILED", async () => {
    const broken: MeasurementProvider = { ...createSimulatorProvider(), getQuote: async () => new Uint8Array(10) };
    await expect(getBoundQuote(broken, new Uint8Array(64))).rejects.toMatchObject({ code: "QUOTE_FAILED" });
  });
});

describe("identity flags", () => {
  it("accepts a 0x 20-byte app id and refuses anything else: INPUT_INVALID", () => {
    expect(toHex(parseAppId(`0x${toHex(APP_ID)}`))).toBe(toHex(APP_ID));
    for (const bad of [toHex(APP_ID), "0x1234", `0x${"g".repeat(40)}`, ""]) expect(() => parseAppId(bad)).toThrow(AgentError);
  });

  it("accepts hex instance ids up to 256 bytes, 0x alone as the empty id", () => {
    expect(parseInstanceId("0x")).toHaveLength(0);
    expect(parseInstanceId("abcd")).toEqual(Uint8Array.of(0xab, 0xcd));
    expect(() => parseInstanceId("0xabc")).toThrow(AgentError);
    expect(() => parseInstanceId("00".repeat(257))).toThrow(AgentError);
  });
});

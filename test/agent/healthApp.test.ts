import { afterAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { fromHex, toHex } from "../../core/bytes";
import { parseEventLog, replayRtmr } from "../../core/attestation/eventlog";
import { platformHash } from "../../core/attestation/platformHash";
import { parseQuote } from "../../core/attestation/quote";
import { TdxSimulator } from "../../core/attestation/simulator";
import { buildAgentHealthApp } from "../../agent/healthApp";
import { agentHealthReportData, type AgentHealthClaims } from "../../agent/health/reportData";
import { keyRequestReportData } from "../../core/crypto";
import { appComposeHash } from "../../agent/identity";
import { measureApp } from "../../agent/measure/measureApp";
import type { MeasurementProvider } from "../../agent/measure/provider";
import { createSimulatorProvider } from "../../agent/measure/simulatorProvider";
import { createTsmProvider } from "../../agent/measure/tsmProvider";
import { APP_COMPOSE, APP_ID, INSTANCE_ID } from "./helpers/bootFixture";

/** `GET /health` through `inject()` on the same app factory the CLI serves. */
const apps: FastifyInstance[] = [];

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

function appFor(provider: MeasurementProvider): FastifyInstance {
  const app = buildAgentHealthApp({ provider });
  apps.push(app);
  return app;
}

async function measuredSimulator(): Promise<{ provider: ReturnType<typeof createSimulatorProvider>; simulator: TdxSimulator }> {
  const simulator = new TdxSimulator();
  const provider = createSimulatorProvider({ simulator });
  await measureApp(provider, { appId: APP_ID, composeHash: appComposeHash(APP_COMPOSE), instanceId: INSTANCE_ID });
  return { provider, simulator };
}

describe("GET /health", () => {
  it("serves a quote, the measurements it shows, the event log and the simulator taint", async () => {
    const { provider, simulator } = await measuredSimulator();
    const response = await appFor(provider).inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    const evidence = response.json();
    expect(evidence.service).toBe("basekms-agent");
    expect(evidence.quoteProvider).toBe("simulator");
    expect(evidence.taint).toEqual(["simulator-quotes"]);
    const body = parseQuote(fromHex(evidence.quote)).body;
    expect(evidence.measurements).toEqual({
      mrTd: toHex(simulator.measurements.mrTd),
      rtmr0: toHex(simulator.measurements.rtmr0),
      rtmr1: toHex(simulator.measurements.rtmr1),
      rtmr2: toHex(simulator.measurements.rtmr2),
      rtmr3: toHex(simulator.rtmr3()),
      platformHash: toHex(platformHash(body)),
      appId: `0x${toHex(APP_ID)}`,
      composeHash: toHex(appComposeHash(APP_COMPOSE)),
      instanceId: toHex(INSTANCE_ID),
    });
    expect(toHex(replayRtmr(parseEventLog(evidence.eventLog), 3))).toBe(evidence.measurements.rtmr3);
  });

  it("binds the quote to its claims and the caller's nonce: report_data recomputes from the response alone", async () => {
    const { provider } = await measuredSimulator();
    const app = appFor(provider);
    const nonce = "c0ffee".repeat(8);
    const evidence = (await app.inject({ method: "GET", url: `/health?nonce=${nonce}` })).json();
    expect(evidence.nonce).toBe(nonce);
    const expected = agentHealthReportData(evidence.claims as AgentHealthClaims, fromHex(nonce));
    expect(evidence.reportData).toBe(toHex(expected));
    expect(toHex(parseQuote(fromHex(evidence.quote)).body.reportData)).toBe(toHex(expected));
    const other = (await app.inject({ method: "GET", url: "/health?nonce=00" })).json();
    expect(other.reportData).not.toBe(evidence.reportData);
  });

  it("uses a label no key request can match", async () => {
    const claims: AgentHealthClaims = { v: 1, quoteProvider: "tsm", taint: [], appId: null, composeHash: null, instanceId: null };
    const nonce = new Uint8Array(32);
    expect(toHex(agentHealthReportData(claims, nonce))).not.toBe(toHex(keyRequestReportData(nonce, new Uint8Array(32))));
  });

  it.each(["zz", "abc", "00".repeat(65)])("refuses the nonce %s: 400 INPUT_INVALID", async (nonce) => {
    const response = await appFor(createSimulatorProvider()).inject({ method: "GET", url: `/health?nonce=${nonce}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().errorCode).toBe("INPUT_INVALID");
  });

  it("reports an agent that has not measured its app yet as not-measured", async () => {
    const evidence = (await appFor(createSimulatorProvider()).inject({ method: "GET", url: "/health" })).json();
    expect(evidence.taint).toEqual(["simulator-quotes", "not-measured"]);
    expect(evidence.measurements.appId).toBeNull();
  });

  it("reports an event log that does not replay to the quote's RTMR3 as event-log-mismatch", async () => {
    const { provider, simulator } = await measuredSimulator();
    simulator.extendRtmr3("unlogged", Uint8Array.of(1));
    const hiding: MeasurementProvider = { ...provider, eventLog: () => provider.eventLog().slice(0, 3) };
    const evidence = (await appFor(hiding).inject({ method: "GET", url: "/health" })).json();
    expect(evidence.taint).toContain("event-log-mismatch");
  });

  it("answers 503 with the provider's code when no quote can be had", async () => {
    const provider = createTsmProvider({ reportRoot: "/nonexistent/tsm/report", eventLogFile: null });
    const response = await appFor(provider).inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(503);
    expect(response.json().errorCode).toBe("QUOTE_UNAVAILABLE");
  });

  it("answers unknown routes with 404 NOT_FOUND", async () => {
    const response = await appFor(createSimulatorProvider()).inject({ method: "GET", url: "/v1/keys" });
    expect(response.statusCode).toBe(404);
    expect(response.json().errorCode).toBe("NOT_FOUND");
  });
});

import { bytesEqual, toHex, toHex0x } from "../../core/bytes";
import {
  APP_ID_EVENT,
  COMPOSE_HASH_EVENT,
  eventLogToJson,
  INSTANCE_ID_EVENT,
  isRuntimeEvent,
  replayRtmr,
  RUNTIME_RTMR_INDEX,
  type TdxEvent,
} from "../../core/attestation/eventlog";
import { platformHash } from "../../core/attestation/platformHash";
import { getBoundQuote } from "../measure/boundQuote";
import type { MeasurementProvider } from "../measure/provider";
import type { AgentEvidence, AgentHealthClaims } from "./evidenceSchema";
import { agentHealthReportData } from "./reportData";

export type { AgentEvidence };

/** Taint: the app's events are not (all) in RTMR3 yet. */
export const NOT_MEASURED_TAINT = "not-measured";
/** Taint: the event log does not replay to the quote's RTMR3 (someone else extended it). */
export const EVENT_LOG_MISMATCH_TAINT = "event-log-mismatch";

function uniquePayload(events: readonly TdxEvent[], name: string): Uint8Array | undefined {
  const found = events.filter((event) => isRuntimeEvent(event) && event.name === name);
  return found.length === 1 ? found[0]!.payload : undefined;
}

export function healthClaims(provider: MeasurementProvider, events: readonly TdxEvent[]): AgentHealthClaims {
  const appId = uniquePayload(events, APP_ID_EVENT);
  const composeHash = uniquePayload(events, COMPOSE_HASH_EVENT);
  const instanceId = uniquePayload(events, INSTANCE_ID_EVENT);
  return {
    v: 1,
    quoteProvider: provider.kind,
    taint: [...provider.taint].sort(),
    appId: appId ? toHex0x(appId) : null,
    composeHash: composeHash ? toHex(composeHash) : null,
    instanceId: instanceId ? toHex(instanceId) : null,
  };
}

/** Takes a fresh quote binding the claims and `nonce`, and reports it with the measurements it shows. */
export async function collectAgentEvidence(provider: MeasurementProvider, nonce: Uint8Array): Promise<AgentEvidence> {
  const events = provider.eventLog();
  const claims = healthClaims(provider, events);
  const reportData = agentHealthReportData(claims, nonce);
  const { quote, body } = await getBoundQuote(provider, reportData);
  const taint = [...claims.taint];
  if (claims.appId === null || claims.composeHash === null || claims.instanceId === null) taint.push(NOT_MEASURED_TAINT);
  if (!bytesEqual(replayRtmr(events, RUNTIME_RTMR_INDEX), body.rtmr3)) taint.push(EVENT_LOG_MISMATCH_TAINT);
  return {
    service: "basekms-agent",
    quoteProvider: provider.kind,
    taint,
    claims,
    nonce: toHex(nonce),
    reportData: toHex(reportData),
    quote: toHex(quote),
    measurements: {
      mrTd: toHex(body.mrTd),
      rtmr0: toHex(body.rtmr0),
      rtmr1: toHex(body.rtmr1),
      rtmr2: toHex(body.rtmr2),
      rtmr3: toHex(body.rtmr3),
      platformHash: toHex(platformHash(body)),
      appId: claims.appId,
      composeHash: claims.composeHash,
      instanceId: claims.instanceId,
    },
    eventLog: eventLogToJson(events),
  };
}

import { bytesEqual, toHex } from "../../core/bytes";
import {
  APP_ID_EVENT,
  COMPOSE_HASH_EVENT,
  INSTANCE_ID_EVENT,
  isRuntimeEvent,
  type TdxEvent,
} from "../../core/attestation/eventlog";
import { AgentError } from "../errors";
import type { AppIdentity } from "../identity";
import type { MeasurementProvider } from "./provider";

/** The app's runtime events, in the order the protocol extends them (docs/protocol.md §2). */
export function appMeasurementEvents(identity: AppIdentity): Array<{ name: string; payload: Uint8Array }> {
  return [
    { name: APP_ID_EVENT, payload: identity.appId },
    { name: COMPOSE_HASH_EVENT, payload: identity.composeHash },
    { name: INSTANCE_ID_EVENT, payload: identity.instanceId },
  ];
}

const APP_EVENT_NAMES: ReadonlySet<string> = new Set([APP_ID_EVENT, COMPOSE_HASH_EVENT, INSTANCE_ID_EVENT]);

export interface MeasureAppResult {
  /** How many of the three events this call extended (0 when this boot already measured them). */
  extended: number;
  eventLog: readonly TdxEvent[];
}

/**
 * Extends RTMR3 with `app-id`, `compose-hash`, `instance-id`, in that order. RTMR3 cannot be
 * reset before a reboot, and the KMS wants each event exactly once, so a second run in the
 * same boot continues what the log already holds: events already there with the same payload
 * are not extended again; a different app, compose hash or instance id already there is
 * `MEASUREMENT_CONFLICT` (only a reboot can measure another one).
 */
export async function measureApp(provider: MeasurementProvider, identity: AppIdentity): Promise<MeasureAppResult> {
  const wanted = appMeasurementEvents(identity);
  const already = provider.eventLog().filter((event) => isRuntimeEvent(event) && APP_EVENT_NAMES.has(event.name));
  if (already.length > wanted.length) {
    throw new AgentError("MEASUREMENT_CONFLICT", `RTMR3 already holds ${already.length} app events this boot; reboot to measure again`);
  }
  already.forEach((event, index) => {
    const expected = wanted[index]!;
    if (event.name !== expected.name || !bytesEqual(event.payload, expected.payload)) {
      throw new AgentError(
        "MEASUREMENT_CONFLICT",
        `RTMR3 already holds "${event.name}" = ${toHex(event.payload)} this boot, where this run measures ` +
          `"${expected.name}" = ${toHex(expected.payload)}; reboot to measure another app`,
      );
    }
  });
  for (const event of wanted.slice(already.length)) await provider.extendRtmr3(event.name, event.payload);
  return { extended: wanted.length - already.length, eventLog: provider.eventLog() };
}

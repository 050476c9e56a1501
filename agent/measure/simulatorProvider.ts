import { isRuntimeEvent, parseEventLog, type TdxEvent } from "../../core/attestation/eventlog";
import { TdxSimulator } from "../../core/attestation/simulator";
import { loadEventLogFile, saveEventLogFile } from "./eventLogFile";
import { SIMULATOR_TAINT, type MeasurementProvider } from "./provider";

/**
 * SANDBOX ONLY. A measurement provider backed by the project's TDX simulator: RTMR3 lives in
 * this process, and quotes are signed by the development CA, which only a sandbox KMS
 * trusts. The agent prints a loud warning whenever it runs on this provider.
 */
export interface SimulatorProviderOptions {
  /** The simulated machine (default: a fresh one on the default dev PKI). */
  simulator?: TdxSimulator;
  /**
   * Where to keep the event log between runs of the agent. The events already in it are
   * re-extended into the simulator's RTMR3 at start, imitating a TD that was not rebooted.
   */
  eventLogFile?: string;
}

export function createSimulatorProvider(options: SimulatorProviderOptions = {}): MeasurementProvider & { simulator: TdxSimulator } {
  const simulator = options.simulator ?? new TdxSimulator();
  const eventLogFile = options.eventLogFile;
  if (eventLogFile !== undefined) {
    for (const event of loadEventLogFile(eventLogFile)) {
      if (isRuntimeEvent(event)) simulator.extendRtmr3(event.name, event.payload);
    }
  }
  const eventLog = (): TdxEvent[] => parseEventLog(simulator.eventLog());
  return {
    kind: "simulator",
    taint: [SIMULATOR_TAINT],
    simulator,
    async extendRtmr3(name, payload) {
      simulator.extendRtmr3(name, payload);
      const events = eventLog();
      if (eventLogFile !== undefined) saveEventLogFile(eventLogFile, events);
      return events[events.length - 1] as TdxEvent;
    },
    eventLog,
    async getQuote(reportData) {
      return simulator.getQuote(reportData);
    },
  };
}

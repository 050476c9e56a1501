import type { TdxEvent } from "../../core/attestation/eventlog";

/** Which quote/measurement backend an agent runs on. */
export type QuoteProviderKind = "tsm" | "simulator";

/**
 * The TD as the agent sees it: extend RTMR3 with a named runtime event, the log of what was
 * extended, and quotes over a 64-byte report_data. Two implementations: `tsm` (a real TDX
 * guest through Linux sysfs and configfs-tsm) and `simulator` (sandbox only).
 */
export interface MeasurementProvider {
  readonly kind: QuoteProviderKind;
  /**
   * Reasons a verifier should not trust this agent's evidence as production evidence
   * (`simulator-quotes`). Empty on a real TDX guest.
   */
  readonly taint: readonly string[];
  /** Extends RTMR3 with the dstack runtime event `(name, payload)` and records it. */
  extendRtmr3(name: string, payload: Uint8Array): Promise<TdxEvent>;
  /** Every RTMR3 event extended so far this boot, in order (copies). */
  eventLog(): readonly TdxEvent[];
  /** A TDX quote whose report_data is `reportData` (64 bytes). */
  getQuote(reportData: Uint8Array): Promise<Uint8Array>;
}

/** Taint reason of a provider whose quotes are signed by the development CA. */
export const SIMULATOR_TAINT = "simulator-quotes";

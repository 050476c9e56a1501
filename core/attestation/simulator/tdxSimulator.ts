import { toHex } from "../../bytes";
import type { CollateralJson } from "../types";
import { DSTACK_RUNTIME_EVENT_TYPE, dstackEventDigest, extendRtmr } from "../eventlog/digest";
import { type IssueCollateralOptions, issueCollateral } from "./collateral";
import { type CreateDevPkiOptions, type DevPki, createDevPki } from "./devPki";
import { SimulatorError, requireLength } from "./errors";
import { DEFAULT_TD_ATTRIBUTES, DEFAULT_XFAM, defaultTdMeasurement } from "./platform";
import { type BuildQuoteOptions, buildQuote } from "./quote";

/**
 * A simulated TDX confidential VM for the `sandbox` network: fixed boot measurements, a live
 * RTMR3 with a dstack-format event log, and quotes and collateral from the dev PKI.
 *
 * SANDBOX ONLY. Only sandbox code paths (agent dev mode, tests, demos) may import this
 * module. A verifier never reaches it: it takes its trusted roots as explicit input.
 */

/** One RTMR3 event exactly as dstack writes it (hex at the edge). */
export interface DstackRuntimeEvent {
  imr: 3;
  event_type: number;
  /** SHA-384 hex. */
  digest: string;
  event: string;
  /** Hex. */
  event_payload: string;
}

/** The TD's fixed measurements (everything but RTMR3 and REPORTDATA). */
export interface TdMeasurements {
  mrTd: Uint8Array;
  rtmr0: Uint8Array;
  rtmr1: Uint8Array;
  rtmr2: Uint8Array;
  mrConfigId: Uint8Array;
  mrOwner: Uint8Array;
  mrOwnerConfig: Uint8Array;
  tdAttributes: Uint8Array;
  xfam: Uint8Array;
}

export interface TdxSimulatorOptions {
  /** An existing PKI (shared by several simulated machines), or options to create one. */
  pki?: DevPki | CreateDevPkiOptions;
  measurements?: Partial<TdMeasurements>;
  /** Extra quote fields for negative tests (a debug TD, a non-zero MRSIGNERSEAM, ...). */
  quoteOverrides?: Omit<BuildQuoteOptions, "reportData" | "rtmr3">;
}

const MEASUREMENT_LENGTHS: Record<keyof TdMeasurements, number> = {
  mrTd: 48,
  rtmr0: 48,
  rtmr1: 48,
  rtmr2: 48,
  mrConfigId: 48,
  mrOwner: 48,
  mrOwnerConfig: 48,
  tdAttributes: 8,
  xfam: 8,
};

/** Drops `undefined` members so `{ mrTd: undefined }` keeps the default. */
function definedMembers<T extends object>(partial: T): Partial<T> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function isDevPki(value: DevPki | CreateDevPkiOptions): value is DevPki {
  return "root" in value && "pckLeaf" in value;
}

export class TdxSimulator {
  readonly pki: DevPki;
  readonly measurements: Readonly<TdMeasurements>;
  readonly #quoteOverrides: Omit<BuildQuoteOptions, "reportData" | "rtmr3">;
  #rtmr3: Uint8Array = new Uint8Array(48);
  readonly #events: DstackRuntimeEvent[] = [];

  constructor(options: TdxSimulatorOptions = {}) {
    this.pki = options.pki && isDevPki(options.pki) ? options.pki : createDevPki(options.pki);
    const measurements: TdMeasurements = {
      mrTd: defaultTdMeasurement("mrTd"),
      rtmr0: defaultTdMeasurement("rtmr0"),
      rtmr1: defaultTdMeasurement("rtmr1"),
      rtmr2: defaultTdMeasurement("rtmr2"),
      mrConfigId: new Uint8Array(48),
      mrOwner: new Uint8Array(48),
      mrOwnerConfig: new Uint8Array(48),
      tdAttributes: DEFAULT_TD_ATTRIBUTES,
      xfam: DEFAULT_XFAM,
      ...definedMembers(options.measurements ?? {}),
    };
    for (const [name, length] of Object.entries(MEASUREMENT_LENGTHS)) {
      requireLength(name, measurements[name as keyof TdMeasurements], length);
    }
    this.measurements = Object.freeze(measurements);
    this.#quoteOverrides = options.quoteOverrides ?? {};
  }

  /** Current RTMR3 (a copy). */
  rtmr3(): Uint8Array {
    return this.#rtmr3.slice();
  }

  /** Extends RTMR3 with a dstack runtime event and appends it to the log. */
  extendRtmr3(name: string, payload: Uint8Array): DstackRuntimeEvent {
    if (name.length === 0 || name.includes(":")) {
      // The digest joins type, name and payload with ":"; a name holding ":" would be ambiguous.
      throw new SimulatorError("SIMULATOR_ENCODING_INVALID", `event name must be non-empty and free of ":": ${JSON.stringify(name)}`);
    }
    const digest = dstackEventDigest(name, payload);
    this.#rtmr3 = extendRtmr(this.#rtmr3, digest);
    const event: DstackRuntimeEvent = {
      imr: 3,
      event_type: DSTACK_RUNTIME_EVENT_TYPE,
      digest: toHex(digest),
      event: name,
      event_payload: toHex(payload),
    };
    this.#events.push(event);
    return { ...event };
  }

  /** The RTMR3 event log so far, in order (copies). */
  eventLog(): DstackRuntimeEvent[] {
    return this.#events.map((event) => ({ ...event }));
  }

  /** A v4 quote over the fixed measurements, the current RTMR3 and `reportData` (64 bytes). */
  getQuote(reportData: Uint8Array): Uint8Array {
    return buildQuote(this.pki, {
      ...this.measurements,
      ...this.#quoteOverrides,
      reportData,
      rtmr3: this.#rtmr3,
    });
  }

  /** Collateral valid around `now` (Unix seconds) for this machine's quotes. */
  collateral(now: number, options: Omit<IssueCollateralOptions, "now"> = {}): CollateralJson {
    return issueCollateral(this.pki, { ...options, now });
  }
}

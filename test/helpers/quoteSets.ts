import { parseCollateralJson, type Collateral } from "../../core/attestation/collateral";
import type { AttestationErrorCode } from "../../core/attestation/errors";
import type { TcbStatus } from "../../core/attestation/types";
import {
  type EventLogVectorSet,
  type QuoteVectorSet,
  loadEventLogVector,
  loadQuoteVector,
  readVectorBytes,
  readVectorText,
} from "./vectors";

/**
 * The README's sets S1..S9 (../shared/tdx-vectors/README.md) as end-to-end verification
 * cases: the quote, the collateral it is paired with, the fixed `now`, and the outcome the
 * README states (source expectation, or our documented pairing for S4/S5/S7/S9). Nothing
 * here is computed by the verifier under test.
 */

export type ExpectedOutcome =
  | { status: TcbStatus; advisoryIds: string[] }
  | { errorCode: AttestationErrorCode };

export interface QuoteSet {
  set: QuoteVectorSet;
  /** Collateral file, relative to the vectors directory. */
  collateralFile: string;
  /** Unix seconds, as listed in the README. */
  now: number;
  expected: ExpectedOutcome;
  /** Sets whose source ships a dstack event log (the `event_log` member, as stored). */
  eventLog?: EventLogVectorSet;
  /**
   * The collateral validity window the README prints ("Window: a .. b"): the latest
   * issueDate/thisUpdate and the earliest nextUpdate over TCB Info, QE Identity and both CRLs.
   */
  window?: { from: string; to: string };
}

export const S1_COLLATERAL = "dcap-qvl/tdx_quote_collateral.json";
export const S2_COLLATERAL = "dcap-qvl/tdx_quote_outdated_collateral.json";
export const S3_COLLATERAL = "near-mpc/collateral.json";
export const S6_COLLATERAL = "go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json";
export const S8_COLLATERAL = "automata/quote_tdx_collateral.json";

const UP_TO_DATE: ExpectedOutcome = { status: "UpToDate", advisoryIds: [] };

export const QUOTE_SETS: Record<QuoteVectorSet, QuoteSet> = {
  S1: {
    set: "S1",
    collateralFile: S1_COLLATERAL,
    now: 1752919234,
    expected: UP_TO_DATE,
    window: { from: "2025-06-19T10:32:27Z", to: "2025-07-19T10:00:35Z" },
  },
  // v5 / TD 1.5; PCK CPUSVN component 7 is 3, every level needs 5: no TCB level.
  S2: { set: "S2", collateralFile: S2_COLLATERAL, now: 1774003274, expected: { errorCode: "TCB_LEVEL_NOT_FOUND" } },
  S3: {
    set: "S3",
    collateralFile: S3_COLLATERAL,
    now: 1786622400,
    expected: UP_TO_DATE,
    eventLog: "S3",
    window: { from: "2026-08-13T10:45:38Z", to: "2026-09-11T23:57:11Z" },
  },
  // dstack quote with S2's collateral (same FMSPC and CA): our pairing, README S4.
  S4: { set: "S4", collateralFile: S2_COLLATERAL, now: 1772707803, expected: UP_TO_DATE, eventLog: "S4" },
  // Negative control: FMSPC 90c06f000000 against S3's B0C06F000000 collateral.
  S5: { set: "S5", collateralFile: S3_COLLATERAL, now: 1786622400, expected: { errorCode: "FMSPC_MISMATCH" } },
  // go-tdx-guest: CPUSVN 0303… below the lowest level (0505…).
  S6: { set: "S6", collateralFile: S6_COLLATERAL, now: 1688173200, expected: { errorCode: "TCB_LEVEL_NOT_FOUND" } },
  S7: { set: "S7", collateralFile: S2_COLLATERAL, now: 1772707803, expected: UP_TO_DATE },
  S8: {
    set: "S8",
    collateralFile: S8_COLLATERAL,
    now: 1753175614,
    expected: { status: "OutOfDate", advisoryIds: ["INTEL-SA-00960", "INTEL-SA-00982", "INTEL-SA-00986"] },
    window: { from: "2025-07-07T09:20:26Z", to: "2025-08-06T09:06:43Z" },
  },
  // v5 with a non-zero MR_SERVICE_TD: refused by the fixed TD policy.
  S9: { set: "S9", collateralFile: S2_COLLATERAL, now: 1772707803, expected: { errorCode: "TD_SERVICE_TD_NONZERO" } },
};

export const QUOTE_SET_LIST: readonly QuoteSet[] = Object.values(QUOTE_SETS);

/** The set's quote as a verifier receives it (S6 without go-tdx-guest's trailing test note). */
export function quoteOf(set: QuoteSet | QuoteVectorSet): Uint8Array {
  return loadQuoteVector(typeof set === "string" ? set : set.set);
}

/** The set's `event_log` member exactly as stored (array for S3, JSON string for S4). */
export function eventLogOf(set: QuoteSet): unknown {
  return set.eventLog === undefined ? undefined : loadEventLogVector(set.eventLog);
}

/** A fresh `Collateral` parsed from a vectors file (a new object on every call). */
export function collateralOf(file: string): Collateral {
  return parseCollateralJson(readVectorText(file));
}

/** The pinned trust anchor: Intel SGX Root CA DER, as stored in the vectors. */
export function intelRootDer(): Uint8Array {
  return readVectorBytes("intel-root-ca/TrustedRootCA.der");
}

export function unixSeconds(iso: string): number {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) throw new TypeError(`not a date: ${iso}`);
  return millis / 1000;
}

/** The README window of a set, as Unix seconds. */
export function windowOf(set: QuoteSet): { from: number; to: number } {
  if (!set.window) throw new Error(`${set.set} has no window listed`);
  return { from: unixSeconds(set.window.from), to: unixSeconds(set.window.to) };
}

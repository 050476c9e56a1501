import { expect } from "vitest";
import { fromHex } from "../../core/bytes";
import { AttestationError, type AttestationErrorCode } from "../../core/attestation/errors";

/**
 * Real Intel-signed vectors from ../shared/tdx-vectors (see its README for sources, the
 * fixed `now` per set and the expected outcomes). The location is resolved once, in
 * ./vectors.ts (override with BASEKMS_VECTORS_DIR).
 */
export { VECTORS_DIR, vectorPath, readVectorBytes, readVectorText } from "./vectors";
import { readVectorBytes, readVectorText } from "./vectors";

export type SetId = "S1" | "S2" | "S3" | "S4" | "S6" | "S7" | "S8" | "S9";

export interface VectorSet {
  /** A binary quote file, or a dstack JSON file whose `quote` field is hex. */
  quote: string;
  collateral: string;
  /** The README's fixed verification time, Unix seconds. */
  nowSeconds: number;
  /** "PCK ext:" values printed in the README (from the PCK leaf's SGX extension). */
  pck: { fmspcHex: string; pceSvn: number; cpuSvnHex: string };
  /** `tee_tcb_svn` as printed in the README, to cross-check the bytes read from the quote. */
  teeTcbSvnHex: string;
}

const S2_COLLATERAL = "dcap-qvl/tdx_quote_outdated_collateral.json";

export const VECTOR_SETS: Record<SetId, VectorSet> = {
  S1: {
    quote: "dcap-qvl/tdx_quote",
    collateral: "dcap-qvl/tdx_quote_collateral.json",
    nowSeconds: 1752919234,
    pck: { fmspcHex: "b0c06f000000", pceSvn: 11, cpuSvnHex: "03030202040100050000000000000000" },
    teeTcbSvnHex: "06010300000000000000000000000000",
  },
  S2: {
    quote: "dcap-qvl/tdx_quote_outdated",
    collateral: S2_COLLATERAL,
    nowSeconds: 1774003274,
    pck: { fmspcHex: "90c06f000000", pceSvn: 13, cpuSvnHex: "03030202040100030000000000000000" },
    teeTcbSvnHex: "07010300000000000000000000000000",
  },
  S3: {
    quote: "near-mpc/quote.bin",
    collateral: "near-mpc/collateral.json",
    nowSeconds: 1786622400,
    pck: { fmspcHex: "b0c06f000000", pceSvn: 11, cpuSvnHex: "04040202040100050000000000000000" },
    teeTcbSvnHex: "0b010400000000000000000000000000",
  },
  S4: {
    quote: "dstack/quote-report.json",
    collateral: S2_COLLATERAL,
    nowSeconds: 1772707803,
    pck: { fmspcHex: "90c06f000000", pceSvn: 13, cpuSvnHex: "04040202040100050000000000000000" },
    teeTcbSvnHex: "0b010400000000000000000000000000",
  },
  S6: {
    quote: "go-tdx-guest/tdx_prod_quote_SPR_E4.dat",
    collateral: "go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json",
    nowSeconds: 1688173200,
    pck: { fmspcHex: "50806f000000", pceSvn: 11, cpuSvnHex: "03030202020100020000000000000000" },
    teeTcbSvnHex: "03000400000000000000000000000000",
  },
  S7: {
    quote: "go-tdx-guest/quote_v5_sample.dat",
    collateral: S2_COLLATERAL,
    nowSeconds: 1772707803,
    pck: { fmspcHex: "90c06f000000", pceSvn: 13, cpuSvnHex: "04040202040100050000000000000000" },
    teeTcbSvnHex: "0b010400000000000000000000000000",
  },
  S8: {
    quote: "automata/quote_tdx.bin",
    collateral: "automata/quote_tdx_collateral.json",
    nowSeconds: 1753175614,
    pck: { fmspcHex: "00806f050000", pceSvn: 11, cpuSvnHex: "06060202030100030000000000000000" },
    teeTcbSvnHex: "04010700000000000000000000000000",
  },
  S9: {
    quote: "automata/quotev5.dat",
    collateral: S2_COLLATERAL,
    nowSeconds: 1772707803,
    pck: { fmspcHex: "90c06f000000", pceSvn: 13, cpuSvnHex: "02020202030100050000000000000000" },
    teeTcbSvnHex: "05010200000000000000000000000000",
  },
};

export function readSetQuote(set: VectorSet): Uint8Array {
  if (set.quote.endsWith(".json")) {
    const json = JSON.parse(readVectorText(set.quote)) as { quote: string };
    return fromHex(json.quote);
  }
  return readVectorBytes(set.quote);
}

/** The quote fields TCB evaluation needs, read at their fixed offsets (Intel TDX DCAP v4/v5). */
export interface QuoteTcbFields {
  qeVendorId: Uint8Array;
  td: { teeTcbSvn: Uint8Array; mrSignerSeam: Uint8Array; seamAttributes: Uint8Array };
  qeReport: { miscSelect: number; attributes: Uint8Array; mrSigner: Uint8Array; isvProdId: number; isvSvn: number };
}

/**
 * Minimal local reader so these tests do not depend on the quote parser: header 48 bytes,
 * [v5: u16 body type + u32 body size], TD report body, u32 signature-data length, 64-byte
 * signature, 64-byte attestation key, u16 certification type + u32 size, then the 384-byte
 * QE report.
 */
export function readQuoteTcbFields(quote: Uint8Array): QuoteTcbFields {
  const view = new DataView(quote.buffer, quote.byteOffset, quote.byteLength);
  const version = view.getUint16(0, true);
  const bodyOffset = version === 5 ? 54 : 48;
  const bodySize = version === 5 ? view.getUint32(50, true) : 584;
  const body = quote.subarray(bodyOffset, bodyOffset + bodySize);
  const qeReportOffset = bodyOffset + bodySize + 4 + 64 + 64 + 2 + 4;
  const qe = quote.subarray(qeReportOffset, qeReportOffset + 384);
  const qeView = new DataView(qe.buffer, qe.byteOffset, qe.byteLength);
  return {
    qeVendorId: quote.slice(12, 28),
    td: { teeTcbSvn: body.slice(0, 16), mrSignerSeam: body.slice(64, 112), seamAttributes: body.slice(112, 120) },
    qeReport: {
      miscSelect: qeView.getUint32(16, true),
      attributes: qe.slice(48, 64),
      mrSigner: qe.slice(128, 160),
      isvProdId: qeView.getUint16(256, true),
      isvSvn: qeView.getUint16(258, true),
    },
  };
}

/** PCK values as the PKI layer will return them. Every vector's PCE-ID is 0000. */
export function pckFieldsOf(set: VectorSet) {
  const cpuSvn = fromHex(set.pck.cpuSvnHex);
  return {
    fmspc: fromHex(set.pck.fmspcHex),
    pceId: fromHex("0000"),
    pceSvn: set.pck.pceSvn,
    cpuSvn,
    sgxTcbComponents: [...cpuSvn],
  };
}

/** The set's fixed verification time, Unix seconds. */
export function nowOf(set: VectorSet): number {
  return set.nowSeconds;
}

/** `2025-07-19T10:16:03Z` as Unix seconds (attestation times are Unix seconds throughout). */
export function unixSeconds(iso: string): number {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) throw new TypeError(`not a date: ${iso}`);
  return Math.floor(millis / 1000);
}

/** Runs `action` and returns the AttestationError it threw, asserting its code. */
export function expectRefusal(action: () => unknown, code: AttestationErrorCode): AttestationError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a refusal with ${code}`).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe(code);
  return thrown as AttestationError;
}

/** Async twin of {@link expectRefusal}. */
export async function expectAsyncRefusal(action: () => Promise<unknown>, code: AttestationErrorCode): Promise<AttestationError> {
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a refusal with ${code}`).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe(code);
  return thrown as AttestationError;
}

/** Re-serializes a signed JSON text after `mutate` (for parser and evaluator mutation tests only). */
export function mutateJsonText(text: string, mutate: (json: any) => void): string {
  const json = JSON.parse(text);
  mutate(json);
  return JSON.stringify(json);
}

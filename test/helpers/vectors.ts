import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * Where the real TDX vectors live (`../shared/tdx-vectors`, see its README for sources and
 * licences). Override with BASEKMS_VECTORS_DIR when the repo sits elsewhere.
 */
export const VECTORS_DIR =
  process.env["BASEKMS_VECTORS_DIR"] ?? path.resolve(__dirname, "../../../shared/tdx-vectors");

export function vectorPath(relative: string): string {
  return path.join(VECTORS_DIR, relative);
}

export function readVectorBytes(relative: string): Uint8Array {
  const buffer = readFileSync(vectorPath(relative));
  // A plain Uint8Array over exactly the file's bytes (not Node's shared Buffer pool).
  return new Uint8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}

export function readVectorText(relative: string): string {
  return readFileSync(vectorPath(relative), "utf8");
}

export function readVectorJson<T = unknown>(relative: string): T {
  return JSON.parse(readVectorText(relative)) as T;
}

/** The README's sets S1..S9, each with one quote. */
export type QuoteVectorSet = "S1" | "S2" | "S3" | "S4" | "S5" | "S6" | "S7" | "S8" | "S9";

/** Where each set's quote is: a binary file, or the hex `quote` field of a JSON file. */
export const QUOTE_VECTOR_SOURCES: Record<QuoteVectorSet, { file: string; jsonField?: "quote" }> = {
  S1: { file: "dcap-qvl/tdx_quote" },
  S2: { file: "dcap-qvl/tdx_quote_outdated" },
  S3: { file: "near-mpc/quote.bin" },
  S4: { file: "dstack/quote-report.json", jsonField: "quote" },
  S5: { file: "dstack/tdx-lite-getquote.json", jsonField: "quote" },
  S6: { file: "go-tdx-guest/tdx_prod_quote_SPR_E4.dat" },
  S7: { file: "go-tdx-guest/quote_v5_sample.dat" },
  S8: { file: "automata/quote_tdx.bin" },
  S9: { file: "automata/quotev5.dat" },
};

export const QUOTE_VECTOR_SETS = Object.keys(QUOTE_VECTOR_SOURCES) as QuoteVectorSet[];

/**
 * A set's quote exactly as its source stores it: S8 keeps its 8000-byte zero padding, and
 * S6 keeps the ASCII note go-tdx-guest appended after the quote (see `S6_TRAILING_NOTE`).
 */
export function loadQuoteVectorAsStored(set: QuoteVectorSet): Uint8Array {
  const source = QUOTE_VECTOR_SOURCES[set];
  if (!source.jsonField) return readVectorBytes(source.file);
  const json = readVectorJson<Record<string, string>>(source.file);
  return new Uint8Array(Buffer.from(json[source.jsonField]!, "hex"));
}

/**
 * go-tdx-guest appends this text after the S6 quote, outside every declared length, to test
 * that readers ignore it. basekms refuses non-zero bytes after a quote (QUOTE_MALFORMED),
 * so tests that want the S6 quote itself strip it with `loadQuoteVector`.
 */
export const S6_TRAILING_NOTE = "\nextra bytes(only for testing purpose)\n";

/**
 * A set's quote as a verifier should receive it: as stored, except that the S6 note is
 * cut off (after checking that the file really ends with exactly that note).
 */
export function loadQuoteVector(set: QuoteVectorSet): Uint8Array {
  const stored = loadQuoteVectorAsStored(set);
  if (set !== "S6") return stored;
  const note = new TextEncoder().encode(S6_TRAILING_NOTE);
  const tail = stored.subarray(stored.length - note.length);
  if (Buffer.compare(tail, note) !== 0) throw new Error("S6 vector does not end with the expected test note");
  return stored.subarray(0, stored.length - note.length);
}

/** The sets that ship a dstack event log, and the JSON file holding it under `event_log`. */
export const EVENT_LOG_VECTOR_FILES = {
  S3: "near-mpc/tcb_info.json", // an array inside the dstack tcb_info object (29 events)
  S4: "dstack/quote-report.json", // a JSON string (28 events)
  S5: "dstack/tdx-lite-getquote.json", // a JSON string (29 events), RTMR3 digests empty
} as const;
export type EventLogVectorSet = keyof typeof EVENT_LOG_VECTOR_FILES;

/** A set's `event_log` member exactly as stored: an array (S3) or a JSON string (S4, S5). */
export function loadEventLogVector(set: EventLogVectorSet): unknown {
  return readVectorJson<{ event_log: unknown }>(EVENT_LOG_VECTOR_FILES[set]).event_log;
}

import { tryFromHex } from "../../bytes";
import { AttestationError } from "../errors";

/** How the quote was written in the file. */
export type QuoteInputFormat = "binary" | "hex" | "json-object" | "json-byte-array";

export interface DecodedQuoteInput {
  quote: Uint8Array;
  /** The `event_log` member of a JSON object input, as found (a JSON string or an array). */
  eventLog?: unknown;
  format: QuoteInputFormat;
}

/**
 * Reads a quote from a file as people and tools write it (for `basekms quote verify <file>`):
 * - raw quote bytes (they start with `04 00` or `05 00`);
 * - hex text, optional `0x`, whitespace anywhere ignored (so `xxd -p` output works);
 * - a JSON object with a `quote` member (hex, or an array of byte values) and an optional
 *   `event_log` (a dstack GetQuoteResponse or quote report);
 * - a JSON array of byte values 0..255.
 * Only the encoding is checked here; `parseQuote` checks the quote itself.
 * Throws `AttestationError` `QUOTE_MALFORMED` when the file is none of these.
 */
export function decodeQuoteInput(file: Uint8Array): DecodedQuoteInput {
  if (!(file instanceof Uint8Array) || file.length === 0) {
    throw new AttestationError("QUOTE_MALFORMED", "quote input is empty");
  }
  if (looksLikeBinaryQuote(file)) return { quote: file, format: "binary" };

  const text = decodeUtf8(file).replace(/^\uFEFF/, "").trim();
  if (text.startsWith("{")) return decodeJsonObject(parseJson(text));
  if (text.startsWith("[")) return { quote: byteArray(parseJson(text), "quote"), format: "json-byte-array" };
  return { quote: hexQuote(text, "quote input"), format: "hex" };
}

/**
 * Binary when it starts like a v4/v5 quote, or when it holds a NUL byte (text never does,
 * and every quote header does): then `parseQuote` gives the precise refusal, such as an
 * unsupported version, instead of a vague "not hex".
 */
function looksLikeBinaryQuote(file: Uint8Array): boolean {
  if (file.length >= 2 && (file[0] === 4 || file[0] === 5) && file[1] === 0) return true;
  return file.includes(0);
}

function decodeUtf8(file: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(file);
  } catch (cause) {
    throw new AttestationError("QUOTE_MALFORMED", "quote input is neither a binary quote nor UTF-8 text", {
      cause,
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new AttestationError("QUOTE_MALFORMED", "quote input looks like JSON but does not parse", { cause });
  }
}

function decodeJsonObject(value: unknown): DecodedQuoteInput {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AttestationError("QUOTE_MALFORMED", "quote input JSON must be an object");
  }
  const record = value as Record<string, unknown>;
  const field = record["quote"];
  let quote: Uint8Array;
  if (typeof field === "string") quote = hexQuote(field, "quote field");
  else if (Array.isArray(field)) quote = byteArray(field, "quote field");
  else throw new AttestationError("QUOTE_MALFORMED", "quote input JSON has no `quote` hex string");

  const decoded: DecodedQuoteInput = { quote, format: "json-object" };
  const eventLog = record["event_log"];
  if (eventLog !== undefined && eventLog !== null) decoded.eventLog = eventLog;
  return decoded;
}

function hexQuote(text: string, what: string): Uint8Array {
  const compact = text.replace(/\s+/g, "");
  const bytes = compact.length > 0 ? tryFromHex(compact) : undefined;
  if (!bytes || bytes.length === 0) {
    throw new AttestationError("QUOTE_MALFORMED", `${what} is not whole-byte hex`);
  }
  return bytes;
}

function byteArray(value: unknown, what: string): Uint8Array {
  if (!Array.isArray(value) || value.length === 0) {
    throw new AttestationError("QUOTE_MALFORMED", `${what} must be a non-empty array of byte values`);
  }
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== "number" || !Number.isInteger(item) || item < 0 || item > 255) {
      throw new AttestationError("QUOTE_MALFORMED", `${what}[${i}] is not a byte value 0..255`);
    }
    bytes[i] = item;
  }
  return bytes;
}

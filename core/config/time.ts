import { UsageError } from "../errors";

/** Parses a time given as unix seconds or ISO-8601 into unix seconds. */
export function parseTimeSetting(name: string, raw: string): number {
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    if (Number.isSafeInteger(seconds)) return seconds;
  } else if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const millis = Date.parse(text);
    if (!Number.isNaN(millis)) return Math.floor(millis / 1000);
  }
  throw new UsageError("USAGE", `${name} must be unix seconds or an ISO-8601 time, got "${raw}"`);
}

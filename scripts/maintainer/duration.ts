import { UsageError } from "../../core/errors";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };

/**
 * Parses a duration for a CLI flag: plain seconds (`3600`) or a number with one unit, `s`, `m`,
 * `h`, `d` or `w` (`30s`, `10m`, `1d`). Returns whole seconds. Throws `UsageError` naming the flag.
 */
export function parseDuration(flag: string, raw: string): number {
  const match = /^(\d+)([smhdw]?)$/.exec(raw.trim());
  if (!match) throw new UsageError("USAGE", `${flag} must be seconds or a number with a unit s, m, h, d or w (like 30s, 10m, 1d), got "${raw}"`);
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || "s"] ?? 1);
  if (!Number.isSafeInteger(seconds)) throw new UsageError("USAGE", `${flag} is too large`);
  return seconds;
}

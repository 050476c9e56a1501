import { AuditError } from "./errors";

/**
 * One end of a reporting period, as people type it: a block number (`12345678`) or a UTC date
 * (`2026-01-31`) or date-time (`2026-01-31T12:00:00Z`; no zone means UTC). A bare date covers the
 * whole day: as `from` it starts at 00:00:00, as `to` it ends at 23:59:59.
 */
export type PeriodBound = { readonly kind: "block"; readonly block: number } | { readonly kind: "time"; readonly time: number };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

function unixSeconds(iso: string, text: string): number {
  const millis = Date.parse(iso);
  if (!Number.isFinite(millis)) throw new AuditError("AUDIT_PERIOD_INVALID", `"${text}" is not a valid date`);
  return Math.floor(millis / 1000);
}

export function parsePeriodBound(text: string, edge: "from" | "to"): PeriodBound {
  const value = text.trim();
  if (/^\d+$/.test(value)) {
    const block = Number(value);
    if (!Number.isSafeInteger(block)) throw new AuditError("AUDIT_PERIOD_INVALID", `block ${value} is too large`);
    return { kind: "block", block };
  }
  if (DATE_ONLY.test(value)) {
    const start = unixSeconds(`${value}T00:00:00Z`, value);
    return { kind: "time", time: edge === "from" ? start : start + 86_399 };
  }
  if (DATE_TIME.test(value)) {
    const zoned = /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
    return { kind: "time", time: unixSeconds(zoned, value) };
  }
  throw new AuditError("AUDIT_PERIOD_INVALID", `${edge} "${text}" is neither a block number nor a date (YYYY-MM-DD or ISO 8601)`);
}

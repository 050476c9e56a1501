import { describe, expect, it } from "vitest";
import { parsePeriodBound } from "../../core/audit";

describe("parsePeriodBound", () => {
  it("reads an integer as a block number", () => {
    expect(parsePeriodBound("12345678", "from")).toEqual({ kind: "block", block: 12_345_678 });
  });

  it("reads a bare date as the whole UTC day: from its first second, to its last", () => {
    expect(parsePeriodBound("2026-01-31", "from")).toEqual({ kind: "time", time: Date.UTC(2026, 0, 31) / 1000 });
    expect(parsePeriodBound("2026-01-31", "to")).toEqual({ kind: "time", time: Date.UTC(2026, 0, 31) / 1000 + 86_399 });
  });

  it("reads an ISO date-time, as UTC when it names no zone", () => {
    expect(parsePeriodBound("2026-03-01T12:00:00Z", "to")).toEqual({ kind: "time", time: Date.UTC(2026, 2, 1, 12) / 1000 });
    expect(parsePeriodBound("2026-03-01T12:00", "to")).toEqual({ kind: "time", time: Date.UTC(2026, 2, 1, 12) / 1000 });
    expect(parsePeriodBound("2026-03-01T12:00:00+02:00", "to")).toEqual({ kind: "time", time: Date.UTC(2026, 2, 1, 10) / 1000 });
  });

  it.each(["yesterday", "2026-13-45", "-5", "1e9", "99999999999999999999", ""])("refuses %j with AUDIT_PERIOD_INVALID", (text) => {
    expect(() => parsePeriodBound(text, "from")).toThrowError(expect.objectContaining({ code: "AUDIT_PERIOD_INVALID" }));
  });
});

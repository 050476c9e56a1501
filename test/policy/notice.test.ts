import { describe, expect, it } from "vitest";
import { effectiveNoticePeriodAt, noticeFloorAfterUpdate } from "../../core/policy/notice";

const DAY = 86_400n;
const config = (noticePeriod: bigint, previousNoticePeriod = 0n, previousNoticeUntil = 0n) => ({
  noticePeriod,
  previousNoticePeriod,
  previousNoticeUntil,
});

describe("effectiveNoticePeriodAt", () => {
  it("uses the floor strictly before its end and the notice period from its end on", () => {
    const lowered = config(0n, 30n * DAY, 1_000n + 30n * DAY);
    expect(effectiveNoticePeriodAt(lowered, 1_000n + 30n * DAY - 1n)).toBe(30n * DAY);
    expect(effectiveNoticePeriodAt(lowered, 1_000n + 30n * DAY)).toBe(0n);
  });

  it("never lets a floor lower the notice period", () => {
    expect(effectiveNoticePeriodAt(config(40n * DAY, 30n * DAY, 10n ** 12n), 0n)).toBe(40n * DAY);
  });
});

describe("noticeFloorAfterUpdate", () => {
  it("keeps the replaced notice for that long when the notice goes down", () => {
    expect(noticeFloorAfterUpdate(config(30n * DAY), 0n, 1_000n)).toEqual({
      previousNoticePeriod: 30n * DAY,
      previousNoticeUntil: 1_000n + 30n * DAY,
    });
  });

  it("keeps the stored floor unchanged when the notice goes up or stays", () => {
    const floored = config(0n, 30n * DAY, 5_000n);
    expect(noticeFloorAfterUpdate(floored, 5n, 1_000n)).toEqual({ previousNoticePeriod: 30n * DAY, previousNoticeUntil: 5_000n });
    expect(noticeFloorAfterUpdate(config(7n), 7n, 1_000n)).toEqual({ previousNoticePeriod: 0n, previousNoticeUntil: 0n });
  });

  it("merges an active floor with the new one: the larger period until the later end", () => {
    const active = config(10n * DAY, 30n * DAY, 1_000n + 30n * DAY);
    expect(noticeFloorAfterUpdate(active, 0n, 1_000n + 25n * DAY)).toEqual({
      previousNoticePeriod: 30n * DAY,
      previousNoticeUntil: 1_000n + 35n * DAY,
    });
  });

  it("drops a floor that has already ended", () => {
    const ended = config(10n * DAY, 30n * DAY, 2_000n);
    expect(noticeFloorAfterUpdate(ended, 0n, 2_000n)).toEqual({ previousNoticePeriod: 10n * DAY, previousNoticeUntil: 2_000n + 10n * DAY });
  });
});

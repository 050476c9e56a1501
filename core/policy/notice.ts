/**
 * The notice-period rules of AppRegistry, restated for replay and audit (contracts/AppRegistry.sol,
 * `_effectiveNoticePeriod` and `_noticeFloorAfterUpdate`; docs/contracts-app-registry.md). The
 * reducer checks every approval's activation and every update's floor against them, so a contract
 * that broke its notice rule would fail the replay.
 */
import type { AppConfig } from "./state";

type NoticeFields = Pick<AppConfig, "noticePeriod" | "previousNoticePeriod" | "previousNoticeUntil">;

/** The notice an approval made at `timestamp` gets: the notice period, or the floor while it applies. */
export function effectiveNoticePeriodAt(config: NoticeFields, timestamp: bigint): bigint {
  const floorApplies = timestamp < config.previousNoticeUntil && config.previousNoticePeriod > config.noticePeriod;
  return floorApplies ? config.previousNoticePeriod : config.noticePeriod;
}

/**
 * The floor an update to `newNoticePeriod` at `timestamp` stores. Lowering keeps the replaced notice
 * period for that long after the update, merged with a floor that still applies (the larger period
 * until the later end). Raising or keeping the notice period keeps the stored floor unchanged.
 */
export function noticeFloorAfterUpdate(
  config: NoticeFields,
  newNoticePeriod: bigint,
  timestamp: bigint,
): { previousNoticePeriod: bigint; previousNoticeUntil: bigint } {
  const replaced = config.noticePeriod;
  if (newNoticePeriod >= replaced) {
    return { previousNoticePeriod: config.previousNoticePeriod, previousNoticeUntil: config.previousNoticeUntil };
  }
  const floorActive = timestamp < config.previousNoticeUntil;
  const activePeriod = floorActive ? config.previousNoticePeriod : 0n;
  const activeUntil = floorActive ? config.previousNoticeUntil : 0n;
  const replacedUntil = timestamp + replaced;
  return {
    previousNoticePeriod: replaced > activePeriod ? replaced : activePeriod,
    previousNoticeUntil: replacedUntil > activeUntil ? replacedUntil : activeUntil,
  };
}

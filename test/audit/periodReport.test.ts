import { describe, expect, it } from "vitest";
import { buildPeriodReport, type KeyReleaseRecord } from "../../core/audit";
import { APP, hex, KMS, standardState, timeOf } from "./policyFixture";

/**
 * The period report: A is allowed from t(2)+100 = 1120 until its revocation at t(30) = 1300;
 * B from t(20)+100 = 1300 on.
 */
const A = hex(0xa1, 32);
const B = hex(0xa2, 32);
const release = (composeHash: typeof A, time: number, instanceId: string, leafIndex = 0): KeyReleaseRecord => ({
  leafIndex,
  kms: KMS,
  time,
  appId: APP,
  composeHash,
  instanceId,
  policyBlock: 0,
  policyBlockTime: time,
});

describe("buildPeriodReport", () => {
  const state = standardState();

  it("lists the compose hashes active at some moment of the period, with their windows", () => {
    const report = buildPeriodReport(state, APP, { from: 1000, to: 1200 }, []);
    expect(report.composeHashes.map((entry) => [entry.composeHash, entry.allowedInPeriod])).toEqual([[A, true]]);
    expect(report.composeHashes[0]!.intervals).toEqual([expect.objectContaining({ from: Number(timeOf(2)) + 100, until: Number(timeOf(30)), approvedInBlock: 2, revokedInBlock: 30 })]);
  });

  it("treats a revocation as the end of the window: revoked at 1300 is not allowed in [1300, 2000]", () => {
    const report = buildPeriodReport(state, APP, { from: 1300, to: 2000 }, []);
    expect(report.composeHashes.map((entry) => [entry.composeHash, entry.allowedInPeriod])).toEqual([[B, true]]);
    expect(report.totals.composeHashesAllowed).toBe(1);
  });

  it("counts key releases, distinct instances and per-hash figures inside the period only", () => {
    const records = [release(A, 1150, "01"), release(A, 1160, "01"), release(A, 1170, "02"), release(B, 1400, "03"), release(B, 5000, "09")];
    const report = buildPeriodReport(state, APP, { from: 1100, to: 2000 }, records);
    const byHash = Object.fromEntries(report.composeHashes.map((entry) => [entry.composeHash, entry]));
    expect(byHash[A]).toMatchObject({ keyReleases: 3, distinctInstances: 2, firstKeyRelease: 1150, lastKeyRelease: 1170 });
    expect(byHash[B]).toMatchObject({ keyReleases: 1, distinctInstances: 1 });
    expect(report.totals).toEqual({ composeHashesAllowed: 2, composeHashesWithKeys: 2, keyReleases: 4, distinctInstances: 3 });
    expect(report.keyReleasesNotAllowed).toEqual([]);
  });

  it("lists key releases for a compose hash not allowed at their policy block as not allowed", () => {
    const never = hex(0xff, 32);
    const report = buildPeriodReport(state, APP, { from: 1000, to: 2000 }, [release(A, 1400, "01", 7), release(never, 1200, "02", 8)]);
    expect(report.keyReleasesNotAllowed.map((record) => record.leafIndex)).toEqual([7, 8]);
    expect(report.composeHashes.find((entry) => entry.composeHash === never)).toMatchObject({ allowedInPeriod: false, keyReleases: 1, intervals: [] });
  });

  it("ignores another app's key releases", () => {
    const report = buildPeriodReport(state, APP, { from: 1000, to: 2000 }, [{ ...release(A, 1150, "01"), appId: hex(0x0b, 20) }]);
    expect(report.totals.keyReleases).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { convergeTcbStatus, mergeAdvisoryIds } from "../../../core/attestation/tcb/convergeTcbStatus";
import { TCB_STATUSES, type TcbStatus } from "../../../core/attestation/types";

describe("convergeTcbStatus (Intel QVL merge of platform with module, then QE)", () => {
  it("an UpToDate component leaves every platform status unchanged", () => {
    for (const platform of TCB_STATUSES) expect(convergeTcbStatus(platform, "UpToDate")).toBe(platform);
  });

  it("a Revoked component revokes every platform status", () => {
    for (const platform of TCB_STATUSES) expect(convergeTcbStatus(platform, "Revoked")).toBe("Revoked");
  });

  const outOfDateTable: Array<[TcbStatus, TcbStatus]> = [
    ["UpToDate", "OutOfDate"],
    ["SWHardeningNeeded", "OutOfDate"],
    ["ConfigurationNeeded", "OutOfDateConfigurationNeeded"],
    ["ConfigurationAndSWHardeningNeeded", "OutOfDateConfigurationNeeded"],
    ["OutOfDate", "OutOfDate"],
    ["OutOfDateConfigurationNeeded", "OutOfDateConfigurationNeeded"],
    ["Revoked", "Revoked"],
  ];
  for (const [platform, expected] of outOfDateTable) {
    it(`platform ${platform} with an OutOfDate component becomes ${expected}`, () => {
      expect(convergeTcbStatus(platform, "OutOfDate")).toBe(expected);
    });
  }

  it("treats any other component status as out of date (never better than the platform alone)", () => {
    for (const component of ["SWHardeningNeeded", "ConfigurationNeeded", "OutOfDateConfigurationNeeded"] as const) {
      for (const [platform, expected] of outOfDateTable) {
        expect(convergeTcbStatus(platform, component)).toBe(expected);
      }
    }
  });
});

describe("mergeAdvisoryIds", () => {
  it("returns the union, de-duplicated and sorted", () => {
    expect(mergeAdvisoryIds(["INTEL-SA-01099", "INTEL-SA-01036"], [], ["INTEL-SA-01036", "INTEL-SA-00001"])).toEqual([
      "INTEL-SA-00001",
      "INTEL-SA-01036",
      "INTEL-SA-01099",
    ]);
  });

  it("returns an empty list for no advisories", () => {
    expect(mergeAdvisoryIds([], [])).toEqual([]);
  });
});

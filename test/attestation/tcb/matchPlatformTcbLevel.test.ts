import { describe, expect, it } from "vitest";
import { fromHex } from "../../../core/bytes";
import { matchPlatformTcbLevel } from "../../../core/attestation/tcb/matchPlatformTcbLevel";
import { expectRefusal, unixSeconds } from "../../helpers/collateralVectors";
import { inputsOf, platformOf, s1With } from "./tcbInputs";

/** S1: CPUSVN 03 03 02 02 04 01 00 05, PCE SVN 11, tee_tcb_svn 06 01 03; levels 2024-03-13 (pce 11) and 2018-01-04 (pce 5). */
const S1 = inputsOf("S1").parameters;
const platform = platformOf(S1);
const withTee = (hex: string) => ({ ...platform, teeTcbSvn: fromHex(hex) });
const tcbInfoWith = (mutate: (json: any) => void) => s1With({ tcbInfo: mutate }).tcbInfo;

describe("matchPlatformTcbLevel", () => {
  it("matches S1 to the newest level, UpToDate", () => {
    const level = matchPlatformTcbLevel(S1.tcbInfo, platform);
    expect(level.tcbDate).toBe(unixSeconds("2024-03-13T00:00:00Z"));
    expect(level.tcbStatus).toBe("UpToDate");
  });

  it("falls to the older, OutOfDate level when the PCE SVN is below the newest level's", () => {
    const level = matchPlatformTcbLevel(S1.tcbInfo, { ...platform, pceSvn: 10 });
    expect(level.tcbDate).toBe(unixSeconds("2018-01-04T00:00:00Z"));
    expect(level.advisoryIds).toContain("INTEL-SA-00837");
  });

  it("refuses when no level has a PCE SVN the platform meets", () => {
    expectRefusal(() => matchPlatformTcbLevel(S1.tcbInfo, { ...platform, pceSvn: 4 }), "TCB_LEVEL_NOT_FOUND");
  });

  it("refuses when one SGX component is below every level's (S2's SEAMLDR ACM, component 7)", () => {
    const components = [...platform.sgxTcbComponents];
    components[7] = 3;
    expectRefusal(() => matchPlatformTcbLevel(S1.tcbInfo, { ...platform, sgxTcbComponents: components }), "TCB_LEVEL_NOT_FOUND");
  });

  it("sorts levels by tcbDate itself: reversed levels pick the same newest match", () => {
    const reversed = tcbInfoWith((json) => json.tcbLevels.reverse());
    expect(matchPlatformTcbLevel(reversed, platform).tcbDate).toBe(unixSeconds("2024-03-13T00:00:00Z"));
  });

  it("falls to an older level when a TDX component from index 2 on is below the newest level's", () => {
    const stricter = tcbInfoWith((json) => (json.tcbLevels[0].tcb.tdxtcbcomponents[2].svn = 4));
    expect(matchPlatformTcbLevel(stricter, platform).tcbDate).toBe(unixSeconds("2018-01-04T00:00:00Z"));
  });

  it("refuses when a TDX component is below every level's", () => {
    expectRefusal(() => matchPlatformTcbLevel(S1.tcbInfo, withTee("06010100000000000000000000000000")), "TCB_LEVEL_NOT_FOUND");
  });

  it("skips TDX components 0 and 1 when tee_tcb_svn[1] > 0 (Intel QVL: the module identity judges them)", () => {
    const stricter = tcbInfoWith((json) => (json.tcbLevels[0].tcb.tdxtcbcomponents[0].svn = 7));
    expect(matchPlatformTcbLevel(stricter, platform).tcbDate).toBe(unixSeconds("2024-03-13T00:00:00Z"));
  });

  it("compares TDX component 0 when tee_tcb_svn[1] is 0 (no module identity)", () => {
    const stricter = tcbInfoWith((json) => (json.tcbLevels[0].tcb.tdxtcbcomponents[0].svn = 7));
    const level = matchPlatformTcbLevel(stricter, withTee("06000300000000000000000000000000"));
    expect(level.tcbDate).toBe(unixSeconds("2018-01-04T00:00:00Z"));
  });

  it("refuses a matched level that is Revoked", () => {
    const revoked = tcbInfoWith((json) => (json.tcbLevels[0].tcbStatus = "Revoked"));
    expectRefusal(() => matchPlatformTcbLevel(revoked, platform), "TCB_REVOKED");
  });
});

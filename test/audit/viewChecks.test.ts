import { describe, expect, it } from "vitest";
import { compareViewAnswers, EXPECT_REVERT, normalizeViewValue, policyViewChecks, type ViewCheck } from "../../core/audit";
import { APP, hex, standardHistory, standardState, timeOf } from "./policyFixture";

describe("policyViewChecks", () => {
  const checks = policyViewChecks(standardState(), standardHistory(), timeOf(50));
  const find = (functionName: string, ...args: unknown[]) =>
    checks.find((check) => check.functionName === functionName && JSON.stringify(normalizeViewValue(check.args)) === JSON.stringify(normalizeViewValue(args)));

  it("expects every view the events determine, including keys no longer in the state", () => {
    expect(find("appCount")?.expected).toBe(1n);
    expect(find("getRelease", APP, hex(0xa1, 32))?.expected).toEqual([timeOf(2) + 100n, timeOf(30), 1]);
    expect(find("isReleaseAllowed", APP, hex(0xa1, 32))?.expected).toBe(false);
    expect(find("isReleaseAllowed", APP, hex(0xa2, 32))?.expected).toBe(true);
    expect(find("isPlatformHashAllowed", hex(0xb1, 32))?.expected).toBe(false);
    expect(checks.filter((check) => check.functionName === "isPlatformAllowed")).toHaveLength(8);
  });

  it("expects a revert from getApp of an app an event names but that never registered", () => {
    const events = [...standardHistory()];
    const orphan = { ...events[6]!, appId: hex(0x0c, 20), blockNumber: 99n, logIndex: 0 } as (typeof events)[number];
    const withOrphan = policyViewChecks(standardState(), [...events, orphan], timeOf(50));
    expect(withOrphan.find((check) => check.functionName === "getApp" && check.args[0] === hex(0x0c, 20))?.expected).toBe(EXPECT_REVERT);
  });
});

describe("compareViewAnswers", () => {
  const check = (expected: unknown): ViewCheck => ({ contract: "AppRegistry", functionName: "getApp", args: [APP], expected });

  it("compares across number widths and address case", () => {
    const expected = [[hex(0x11, 20)], 1, 100n, 1n, false];
    const answer = [["0x1111111111111111111111111111111111111111".toUpperCase().replace("0X", "0x")], 1, 100n, 1n, false];
    expect(compareViewAnswers([check(expected)], [{ ok: true, value: answer }])).toEqual([]);
  });

  it("reports VIEW_MISMATCH with expected and actual for a differing answer or a failed call", () => {
    const [different] = compareViewAnswers([check(1n)], [{ ok: true, value: 2n }]);
    expect(different).toMatchObject({ code: "VIEW_MISMATCH", evidence: { expected: "1", actual: "2" } });
    const [failed] = compareViewAnswers([check(1n)], [{ ok: false, error: "reverted" }]);
    expect(failed).toMatchObject({ code: "VIEW_MISMATCH", evidence: { actual: null, error: "reverted" } });
  });

  it("accepts a revert where one is expected, and reports an answer there", () => {
    expect(compareViewAnswers([check(EXPECT_REVERT)], [{ ok: false, error: "AppRegistryUnknownApp" }])).toEqual([]);
    expect(compareViewAnswers([check(EXPECT_REVERT)], [{ ok: true, value: 1n }])).toHaveLength(1);
  });
});

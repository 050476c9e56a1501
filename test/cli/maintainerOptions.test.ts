import { describe, expect, it } from "vitest";
import { parseAddressList, parseAppIdOption, parseBytes32Option } from "../../scripts/maintainer/cliSupport";
import { parseDuration } from "../../scripts/maintainer/duration";
import { parseTcbStatusNames, tcbStatusNamesOf } from "../../scripts/maintainer/tcbStatusMask";
import { DEV_ACCOUNTS } from "./maintainerFixtures";

function usageCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error("expected a refusal");
}

describe("parseDuration", () => {
  it("reads plain seconds and one unit of s, m, h, d or w", () => {
    expect(parseDuration("--notice", "3600")).toBe(3600);
    expect(parseDuration("--notice", "30s")).toBe(30);
    expect(parseDuration("--notice", "10m")).toBe(600);
    expect(parseDuration("--notice", "2h")).toBe(7200);
    expect(parseDuration("--notice", "1d")).toBe(86_400);
    expect(parseDuration("--notice", "1w")).toBe(604_800);
    expect(parseDuration("--notice", "0")).toBe(0);
  });

  it("refuses fractions, negative numbers, mixed units and unknown units (USAGE), naming the flag", () => {
    for (const raw of ["1.5d", "-1", "1d2h", "1y", "", "d"]) expect(usageCode(() => parseDuration("--notice", raw))).toBe("USAGE");
    expect(() => parseDuration("--deadline", "soon")).toThrow(/--deadline must be seconds/);
    expect(usageCode(() => parseDuration("--notice", "99999999999999999w"))).toBe("USAGE");
  });
});

describe("flag parsers", () => {
  it("reads an address list and refuses a bad EIP-55 checksum", () => {
    const [a, b] = DEV_ACCOUNTS;
    expect(parseAddressList("--signers", `${a?.address}, ${b?.address.toLowerCase()}`)).toEqual([a?.address, b?.address]);
    const typo = (a?.address ?? "").replace(/[a-f]/, (char) => char.toUpperCase());
    expect(() => parseAddressList("--signers", typo)).toThrow(/wrong EIP-55 checksum/);
    expect(usageCode(() => parseAddressList("--signers", "0x1234"))).toBe("USAGE");
  });

  it("reads app ids and 32-byte hashes, lowercased", () => {
    expect(parseAppIdOption("--app", `0x${"AB".repeat(20)}`)).toBe(`0x${"ab".repeat(20)}`);
    expect(parseBytes32Option("--compose-hash", "CD".repeat(32))).toBe(`0x${"cd".repeat(32)}`);
    expect(usageCode(() => parseAppIdOption("--app", `0x${"ab".repeat(32)}`))).toBe("USAGE");
    expect(usageCode(() => parseBytes32Option("--platform-hash", "0x12"))).toBe("USAGE");
  });
});

describe("TCB status names", () => {
  it("maps names to the PlatformPolicy bits and back", () => {
    expect(parseTcbStatusNames("--tcb-statuses", "UpToDate,SWHardeningNeeded")).toBe(0b11);
    expect(parseTcbStatusNames("--tcb-statuses", "OutOfDateConfigurationNeeded")).toBe(0b100000);
    expect(tcbStatusNamesOf(0b010101)).toEqual(["UpToDate", "ConfigurationNeeded", "OutOfDate"]);
  });

  it("refuses Revoked, unknown names and an empty list (USAGE)", () => {
    for (const raw of ["Revoked", "UpToDate,Unknown", " , "]) expect(usageCode(() => parseTcbStatusNames("--tcb-statuses", raw))).toBe("USAGE");
  });
});

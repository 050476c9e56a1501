import { describe, expect, it } from "vitest";
import { parseCollateralJson } from "../../../core/attestation/collateral/collateral";
import { checkCollateralTimes, collateralNextUpdate } from "../../../core/attestation/collateral/validity";
import { expectRefusal, nowOf, readVectorText, VECTOR_SETS, unixSeconds } from "../../helpers/collateralVectors";

const S1 = parseCollateralJson(readVectorText(VECTOR_SETS.S1.collateral));
const S6 = parseCollateralJson(readVectorText(VECTOR_SETS.S6.collateral));

describe("checkCollateralTimes", () => {
  for (const setId of ["S1", "S2", "S3", "S6", "S8"] as const) {
    it(`accepts ${setId}'s collateral at the README's fixed now`, () => {
      const collateral = parseCollateralJson(readVectorText(VECTOR_SETS[setId].collateral));
      expect(() => checkCollateralTimes(collateral, nowOf(VECTOR_SETS[setId]))).not.toThrow();
    });
  }

  it("accepts the very second of the TCB Info's nextUpdate (S1: 2025-07-19T10:16:03Z, QE runs later)", () => {
    expect(() => checkCollateralTimes(S1, S1.tcbInfo.nextUpdate)).not.toThrow();
  });

  it("refuses 1 s after the TCB Info's nextUpdate as COLLATERAL_EXPIRED", () => {
    const error = expectRefusal(() => checkCollateralTimes(S1, S1.tcbInfo.nextUpdate + 1), "COLLATERAL_EXPIRED");
    expect(error.message).toContain("TCB Info");
  });

  it("refuses 1 s after the QE Identity's nextUpdate as COLLATERAL_EXPIRED (S6: QE expires first)", () => {
    expect(S6.qeIdentity.nextUpdate).toBeLessThan(S6.tcbInfo.nextUpdate);
    const error = expectRefusal(
      () => checkCollateralTimes(S6, S6.qeIdentity.nextUpdate + 1),
      "COLLATERAL_EXPIRED",
    );
    expect(error.message).toContain("QE Identity");
  });

  it("refuses 1 s before the TCB Info's issueDate as COLLATERAL_NOT_YET_VALID", () => {
    expectRefusal(() => checkCollateralTimes(S1, S1.tcbInfo.issueDate - 1), "COLLATERAL_NOT_YET_VALID");
  });

  it("refuses 1 s before the QE Identity's issueDate as COLLATERAL_NOT_YET_VALID (S1: QE issued later)", () => {
    expect(S1.qeIdentity.issueDate).toBeGreaterThan(S1.tcbInfo.issueDate);
    expectRefusal(() => checkCollateralTimes(S1, S1.qeIdentity.issueDate - 1), "COLLATERAL_NOT_YET_VALID");
  });

  it("refuses the wall clock of the vectors' fetch date (everything has expired)", () => {
    expectRefusal(() => checkCollateralTimes(S1, unixSeconds("2026-11-23T00:00:00Z")), "COLLATERAL_EXPIRED");
  });
});

describe("collateralNextUpdate", () => {
  it("is the earlier of TCB Info and QE Identity nextUpdate without CRL dates", () => {
    expect(collateralNextUpdate(S1)).toBe(unixSeconds("2025-07-19T10:16:03Z"));
    expect(collateralNextUpdate(S6)).toBe(unixSeconds("2023-07-08T07:24:59Z"));
  });

  it("takes a CRL's nextUpdate when it comes first (S1's PCK CRL: 2025-07-19T10:00:35Z)", () => {
    const crlDates = [unixSeconds("2026-04-01T00:00:00Z"), unixSeconds("2025-07-19T10:00:35Z")];
    expect(collateralNextUpdate(S1, crlDates)).toBe(unixSeconds("2025-07-19T10:00:35Z"));
  });
});

import { describe, expect, it } from "vitest";
import { matchQeIdentity } from "../../../core/attestation/tcb/matchQeIdentity";
import { expectRefusal, unixSeconds } from "../../helpers/collateralVectors";
import { inputsOf, s1With } from "./tcbInputs";

/** S1's real TD_QE identity and QE report (ISVSVN 6, ATTRIBUTES 0x15...). */
const { qeIdentity, qeReport } = inputsOf("S1").parameters;

describe("matchQeIdentity", () => {
  it("matches S1's real QE report to the UpToDate level isvsvn 4", () => {
    expect(matchQeIdentity(qeIdentity, qeReport)).toEqual({
      status: "UpToDate",
      advisoryIds: [],
      tcbDate: unixSeconds("2024-03-13T00:00:00Z"),
      isvSvn: 4,
    });
  });

  it("refuses a QE whose MISCSELECT differs under the mask", () => {
    expectRefusal(() => matchQeIdentity(qeIdentity, { ...qeReport, miscSelect: 1 }), "QE_IDENTITY_MISMATCH");
  });

  it("refuses a debug QE (ATTRIBUTES bit 1 is inside the mask)", () => {
    const attributes = qeReport.attributes.slice();
    attributes[0]! |= 0x02;
    expectRefusal(() => matchQeIdentity(qeIdentity, { ...qeReport, attributes }), "QE_IDENTITY_MISMATCH");
  });

  it("ignores ATTRIBUTES bits outside the mask (the real QE sets 0x04 and the upper half)", () => {
    expect(qeReport.attributes[0]! & 0x04).toBe(0x04);
    expect(qeReport.attributes[8]).not.toBe(0);
    expect(matchQeIdentity(qeIdentity, qeReport).status).toBe("UpToDate");
  });

  it("refuses a QE with another MRSIGNER", () => {
    const mrSigner = qeReport.mrSigner.slice();
    mrSigner[31]! ^= 0xff;
    expectRefusal(() => matchQeIdentity(qeIdentity, { ...qeReport, mrSigner }), "QE_IDENTITY_MISMATCH");
  });

  it("refuses a QE with another ISVPRODID", () => {
    expectRefusal(() => matchQeIdentity(qeIdentity, { ...qeReport, isvProdId: 1 }), "QE_IDENTITY_MISMATCH");
  });

  it("refuses a QE ISVSVN below every QE TCB level", () => {
    expectRefusal(() => matchQeIdentity(qeIdentity, { ...qeReport, isvSvn: 3 }), "QE_TCB_LEVEL_NOT_FOUND");
  });

  it("refuses a QE whose TCB level is Revoked", () => {
    const revoked = s1With({ qeIdentity: (json) => (json.tcbLevels[0].tcbStatus = "Revoked") }).qeIdentity;
    expectRefusal(() => matchQeIdentity(revoked, qeReport), "QE_TCB_REVOKED");
  });

  it("picks the highest level at or below the QE ISVSVN, whatever order Intel lists them in", () => {
    const levels = s1With({
      qeIdentity: (json) => {
        json.tcbLevels = [
          { tcb: { isvsvn: 2 }, tcbDate: "2022-01-01T00:00:00Z", tcbStatus: "OutOfDate", advisoryIDs: ["INTEL-SA-2"] },
          { tcb: { isvsvn: 8 }, tcbDate: "2025-01-01T00:00:00Z", tcbStatus: "UpToDate" },
          { tcb: { isvsvn: 5 }, tcbDate: "2024-01-01T00:00:00Z", tcbStatus: "OutOfDate", advisoryIDs: ["INTEL-SA-5"] },
        ];
      },
    }).qeIdentity;
    expect(matchQeIdentity(levels, { ...qeReport, isvSvn: 6 })).toMatchObject({ isvSvn: 5, status: "OutOfDate", advisoryIds: ["INTEL-SA-5"] });
    expect(matchQeIdentity(levels, { ...qeReport, isvSvn: 8 })).toMatchObject({ isvSvn: 8, status: "UpToDate" });
  });
});

import { describe, expect, it } from "vitest";
import { fromHex } from "../../../core/bytes";
import { matchTdxModule } from "../../../core/attestation/tcb/matchTdxModule";
import { expectRefusal } from "../../helpers/collateralVectors";
import { inputsOf, s1With } from "./tcbInputs";

/** S1: tee_tcb_svn 06 01 03, so module TDX_01 at SVN 6; MR_SIGNER_SEAM and SEAM_ATTRIBUTES zero. */
const { tcbInfo, td } = inputsOf("S1").parameters;
const withSvn = (hex: string) => ({ ...td, teeTcbSvn: fromHex(hex) });

describe("matchTdxModule", () => {
  it("selects TDX_01 from tee_tcb_svn[1] = 1 and its UpToDate level isvsvn 4 for SVN 6", () => {
    expect(matchTdxModule(tcbInfo, td)).toMatchObject({ identityId: "TDX_01", status: "UpToDate", isvSvn: 4 });
  });

  it("gives the OutOfDate level to module SVN 3 (between levels 4 and 2)", () => {
    expect(matchTdxModule(tcbInfo, withSvn("03010300000000000000000000000000"))).toMatchObject({
      status: "OutOfDate",
      isvSvn: 2,
    });
  });

  it("checks a TDX 1.0 module (tee_tcb_svn[1] = 0) against the base tdxModule and gives no status", () => {
    expect(matchTdxModule(tcbInfo, withSvn("06000300000000000000000000000000"))).toBeUndefined();
  });

  it("finds the identity id case-insensitively (tdx_01)", () => {
    const lower = s1With({ tcbInfo: (json) => (json.tdxModuleIdentities[1].id = "tdx_01") }).tcbInfo;
    expect(matchTdxModule(lower, td)?.identityId).toBe("tdx_01");
  });

  it("refuses a non-zero MR_SIGNER_SEAM", () => {
    const mrSignerSeam = td.mrSignerSeam.slice();
    mrSignerSeam[0] = 1;
    expectRefusal(() => matchTdxModule(tcbInfo, { ...td, mrSignerSeam }), "TDX_MODULE_MISMATCH");
  });

  it("refuses SEAM_ATTRIBUTES that differ under the identity's mask", () => {
    expectRefusal(
      () => matchTdxModule(tcbInfo, { ...td, seamAttributes: fromHex("0100000000000000") }),
      "TDX_MODULE_MISMATCH",
    );
  });

  it("accepts SEAM_ATTRIBUTES bits outside the identity's mask", () => {
    const masked = s1With({ tcbInfo: (json) => (json.tdxModuleIdentities[1].attributesMask = "FEFFFFFFFFFFFFFF") }).tcbInfo;
    expect(matchTdxModule(masked, { ...td, seamAttributes: fromHex("0100000000000000") })?.status).toBe("UpToDate");
  });

  it("refuses a TDX 1.0 module that does not match the base tdxModule", () => {
    const mrSignerSeam = new Uint8Array(48).fill(0x11);
    expectRefusal(
      () => matchTdxModule(tcbInfo, { ...withSvn("06000300000000000000000000000000"), mrSignerSeam }),
      "TDX_MODULE_MISMATCH",
    );
  });

  it("refuses a module major version with no TDX_%02X identity", () => {
    expectRefusal(() => matchTdxModule(tcbInfo, withSvn("06020300000000000000000000000000")), "TDX_MODULE_IDENTITY_NOT_FOUND");
  });

  it("refuses a module version above 0 when the TCB Info has no identities at all (go-tdx-guest)", () => {
    const old = inputsOf("S6").parameters.tcbInfo;
    expect(old.tdxModuleIdentities).toEqual([]);
    expectRefusal(() => matchTdxModule(old, withSvn("06010300000000000000000000000000")), "TDX_MODULE_IDENTITY_NOT_FOUND");
  });

  it("refuses an identity whose mrsigner differs from MR_SIGNER_SEAM (identity values replace the base)", () => {
    const other = s1With({ tcbInfo: (json) => (json.tdxModuleIdentities[1].mrsigner = "11".repeat(48)) }).tcbInfo;
    expectRefusal(() => matchTdxModule(other, td), "TDX_MODULE_MISMATCH");
  });

  it("refuses a module SVN below every level of its identity", () => {
    expectRefusal(() => matchTdxModule(tcbInfo, withSvn("01010300000000000000000000000000")), "TCB_LEVEL_NOT_FOUND");
  });

  it("refuses a module whose identity level is Revoked", () => {
    const revoked = s1With({ tcbInfo: (json) => (json.tdxModuleIdentities[1].tcbLevels[0].tcbStatus = "Revoked") }).tcbInfo;
    expectRefusal(() => matchTdxModule(revoked, td), "TCB_REVOKED");
  });
});

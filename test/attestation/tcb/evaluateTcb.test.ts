import { describe, expect, it } from "vitest";
import { fromHex } from "../../../core/bytes";
import { parseTcbInfo } from "../../../core/attestation/collateral/tcbInfo";
import { evaluateTcb } from "../../../core/attestation/tcb/evaluateTcb";
import { expectRefusal, mutateJsonText, type SetId, unixSeconds } from "../../helpers/collateralVectors";
import { inputsOf, s1With, withTeeTcbSvn } from "./tcbInputs";

describe("evaluateTcb on the real vector sets (README expectations)", () => {
  const upToDate: SetId[] = ["S1", "S3", "S4", "S7"];
  for (const setId of upToDate) {
    it(`${setId} is UpToDate with no advisories, module TDX_01 UpToDate, QE UpToDate`, () => {
      const result = evaluateTcb(inputsOf(setId).parameters);
      expect(result.status).toBe("UpToDate");
      expect(result.advisoryIds).toEqual([]);
      expect(result.platformStatus).toBe("UpToDate");
      expect(result.tdxModuleIdentityId).toBe("TDX_01");
      expect(result.tdxModuleStatus).toBe("UpToDate");
      expect(result.qeStatus).toBe("UpToDate");
    });
  }

  it("S1 matches the 2024-03-13 level at tcbEvaluationDataNumber 17", () => {
    const result = evaluateTcb(inputsOf("S1").parameters);
    expect(result.matchedTcbDate).toBe(unixSeconds("2024-03-13T00:00:00Z"));
    expect(result.qeTcbDate).toBe(unixSeconds("2024-03-13T00:00:00Z"));
    expect(result.tcbEvaluationDataNumber).toBe(17);
  });

  it("S2 refuses: SEAMLDR ACM component 7 is 3 and every level needs 5", () => {
    expectRefusal(() => evaluateTcb(inputsOf("S2").parameters), "TCB_LEVEL_NOT_FOUND");
  });

  it("S6 refuses: CPUSVN 0303... is below the lowest level 0505...", () => {
    expectRefusal(() => evaluateTcb(inputsOf("S6").parameters), "TCB_LEVEL_NOT_FOUND");
  });

  it("S8 is OutOfDate at the 2023-08-09 level with its three advisories", () => {
    const result = evaluateTcb(inputsOf("S8").parameters);
    expect(result.status).toBe("OutOfDate");
    expect(result.advisoryIds).toEqual(["INTEL-SA-00960", "INTEL-SA-00982", "INTEL-SA-00986"]);
    expect(result.matchedTcbDate).toBe(unixSeconds("2023-08-09T00:00:00Z"));
    expect(result.tdxModuleStatus).toBe("UpToDate");
    expect(result.qeStatus).toBe("UpToDate");
  });

  it("S9 (service TD not judged here) is OutOfDate, module TDX_01 OutOfDate, advisories merged", () => {
    const result = evaluateTcb(inputsOf("S9").parameters);
    expect(result.status).toBe("OutOfDate");
    expect(result.advisoryIds).toEqual([
      "INTEL-SA-01036",
      "INTEL-SA-01079",
      "INTEL-SA-01099",
      "INTEL-SA-01103",
      "INTEL-SA-01111",
    ]);
    expect(result.platformStatus).toBe("OutOfDate");
    expect(result.tdxModuleIdentityId).toBe("TDX_01");
    expect(result.tdxModuleStatus).toBe("OutOfDate");
    expect(result.tdxModuleAdvisoryIds).toEqual(["INTEL-SA-01036", "INTEL-SA-01099"]);
  });

  it("S6 with go-tdx-guest's zeroed level SVNs passes the module-version-0 path (base tdxModule, no identity)", () => {
    const { parameters, collateral } = inputsOf("S6");
    const zeroed = parseTcbInfo(
      mutateJsonText(collateral.tcbInfoText, (json) => {
        for (const level of json.tcbLevels) {
          for (const c of [...level.tcb.sgxtcbcomponents, ...level.tcb.tdxtcbcomponents]) c.svn = 0;
        }
      }),
    );
    const result = evaluateTcb({ ...parameters, tcbInfo: zeroed });
    expect(result.status).toBe("UpToDate");
    expect(result.tdxModuleIdentityId).toBeUndefined();
    expect(result.tdxModuleStatus).toBeUndefined();
  });
});

describe("evaluateTcb refusals before any matching", () => {
  const base = () => inputsOf("S1").parameters;

  it("refuses a QE vendor id that is not Intel's", () => {
    const parameters = base();
    const qeVendorId = parameters.qeVendorId.slice();
    qeVendorId[0]! ^= 1;
    expectRefusal(() => evaluateTcb({ ...parameters, qeVendorId }), "QE_VENDOR_ID_MISMATCH");
  });

  it("refuses a PCK FMSPC other than the TCB Info's", () => {
    const parameters = base();
    expectRefusal(
      () => evaluateTcb({ ...parameters, pck: { ...parameters.pck, fmspc: fromHex("90c06f000000") } }),
      "FMSPC_MISMATCH",
    );
  });

  it("compares FMSPC as bytes: a lowercase TCB Info FMSPC still matches", () => {
    expect(evaluateTcb(s1With({ tcbInfo: (json) => (json.fmspc = "b0c06f000000") })).status).toBe("UpToDate");
  });

  it("refuses a PCK PCE-ID other than the TCB Info's", () => {
    const parameters = base();
    expectRefusal(() => evaluateTcb({ ...parameters, pck: { ...parameters.pck, pceId: fromHex("0001") } }), "PCE_ID_MISMATCH");
  });

  it("refuses PCK TCB values without 16 SGX components", () => {
    const { fmspc, pceId, pceSvn } = base().pck;
    expectRefusal(
      () => evaluateTcb({ ...base(), pck: { fmspc, pceId, pceSvn, sgxTcbComponents: [1, 2, 3] } }),
      "PCK_EXTENSION_MALFORMED",
    );
  });

  it("reads SGX components from cpuSvn bytes when sgxTcbComponents is absent", () => {
    const { fmspc, pceId, pceSvn, cpuSvn } = base().pck;
    expect(evaluateTcb({ ...base(), pck: { fmspc, pceId, pceSvn, ...(cpuSvn ? { cpuSvn } : {}) } }).status).toBe("UpToDate");
  });

  it("checks the QE before the TDX module and the module before the platform level", () => {
    const everythingWrong = withTeeTcbSvn(
      s1With({ tcbInfo: (json) => (json.tcbLevels = [json.tcbLevels[0]]) }),
      "01020100000000000000000000000000",
    );
    const qeWrong = { ...everythingWrong, qeReport: { ...everythingWrong.qeReport, isvProdId: 9 } };
    expectRefusal(() => evaluateTcb(qeWrong), "QE_IDENTITY_MISMATCH");
    expectRefusal(() => evaluateTcb(everythingWrong), "TDX_MODULE_IDENTITY_NOT_FOUND");
  });
});

describe("evaluateTcb status convergence on S1", () => {
  it("a QE OutOfDate level turns an UpToDate platform OutOfDate and adds the QE advisories", () => {
    const parameters = s1With({
      qeIdentity: (json) => {
        json.tcbLevels[0].tcb.isvsvn = 7;
        json.tcbLevels.push({
          tcb: { isvsvn: 2 },
          tcbDate: "2023-08-09T00:00:00Z",
          tcbStatus: "OutOfDate",
          advisoryIDs: ["INTEL-SA-00999", "INTEL-SA-00001"],
        });
      },
    });
    const result = evaluateTcb(parameters);
    expect(result.platformStatus).toBe("UpToDate");
    expect(result.qeStatus).toBe("OutOfDate");
    expect(result.status).toBe("OutOfDate");
    expect(result.advisoryIds).toEqual(["INTEL-SA-00001", "INTEL-SA-00999"]);
  });

  it("a ConfigurationNeeded platform with an OutOfDate module becomes OutOfDateConfigurationNeeded", () => {
    const parameters = withTeeTcbSvn(
      s1With({
        tcbInfo: (json) => {
          json.tcbLevels[0].tcbStatus = "ConfigurationNeeded";
          json.tcbLevels[0].advisoryIDs = ["INTEL-SA-00615"];
          json.tdxModuleIdentities[1].tcbLevels[1].advisoryIDs = ["INTEL-SA-00615", "INTEL-SA-00777"];
        },
      }),
      "03010300000000000000000000000000",
    );
    const result = evaluateTcb(parameters);
    expect(result.tdxModuleStatus).toBe("OutOfDate");
    expect(result.status).toBe("OutOfDateConfigurationNeeded");
    expect(result.advisoryIds).toEqual(["INTEL-SA-00615", "INTEL-SA-00777"]);
  });

  it("an SWHardeningNeeded platform stays SWHardeningNeeded with an UpToDate module and QE", () => {
    const result = evaluateTcb(s1With({ tcbInfo: (json) => (json.tcbLevels[0].tcbStatus = "SWHardeningNeeded") }));
    expect(result.status).toBe("SWHardeningNeeded");
  });
});

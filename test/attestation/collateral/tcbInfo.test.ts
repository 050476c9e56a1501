import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import { memberValueText } from "../../../core/attestation/collateral/jsonSpan";
import { parseTcbInfo } from "../../../core/attestation/collateral/tcbInfo";
import { AttestationError } from "../../../core/attestation/errors";
import { expectRefusal, mutateJsonText, readVectorText, unixSeconds } from "../../helpers/collateralVectors";

/** S1's signed tcbInfo text (dcap-qvl sample, tcbEvaluationDataNumber 17). */
const S1_TCB_INFO = (JSON.parse(readVectorText("dcap-qvl/tdx_quote_collateral.json")) as { tcb_info: string }).tcb_info;

const mutated = (mutate: (json: any) => void) => mutateJsonText(S1_TCB_INFO, mutate);

describe("parseTcbInfo on real Intel TCB Info", () => {
  it("parses S1's TCB Info field by field", () => {
    const info = parseTcbInfo(S1_TCB_INFO);
    expect(info.id).toBe("TDX");
    expect(info.version).toBe(3);
    expect(info.issueDate).toBe(unixSeconds("2025-06-19T10:16:03Z"));
    expect(info.nextUpdate).toBe(unixSeconds("2025-07-19T10:16:03Z"));
    expect(toHex(info.fmspc)).toBe("b0c06f000000");
    expect(toHex(info.pceId)).toBe("0000");
    expect(info.tcbEvaluationDataNumber).toBe(17);
    expect(toHex(info.tdxModule.mrSigner)).toBe("00".repeat(48));
    expect(toHex(info.tdxModule.attributesMask)).toBe("ff".repeat(8));
    expect(info.tdxModuleIdentities.map((identity) => identity.id)).toEqual(["TDX_03", "TDX_01"]);
    expect(info.tdxModuleIdentities[1]!.tcbLevels.map((l) => [l.isvSvn, l.tcbStatus])).toEqual([
      [4, "UpToDate"],
      [2, "OutOfDate"],
    ]);
    expect(info.tcbLevels).toHaveLength(2);
    expect(info.tcbLevels[0]!.sgxTcbComponents).toEqual([2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(info.tcbLevels[0]!.pceSvn).toBe(11);
    expect(info.tcbLevels[0]!.tdxTcbComponents).toEqual([5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(info.tcbLevels[0]!.advisoryIds).toEqual([]);
    expect(info.tcbLevels[1]!.tcbStatus).toBe("OutOfDate");
    expect(info.tcbLevels[1]!.advisoryIds).toHaveLength(14);
  });

  const sources: Array<[string, string]> = [
    ["dcap-qvl S2 collateral", "dcap-qvl/tdx_quote_outdated_collateral.json"],
    ["near-mpc collateral", "near-mpc/collateral.json"],
    ["go-tdx-guest collateral", "go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json"],
    ["automata collateral", "automata/quote_tdx_collateral.json"],
  ];
  for (const [name, file] of sources) {
    it(`parses the TCB Info of the ${name}`, () => {
      const text = (JSON.parse(readVectorText(file)) as { tcb_info: string }).tcb_info;
      expect(parseTcbInfo(text).tcbLevels.length).toBeGreaterThan(0);
    });
  }

  it("parses PCS response bodies cut byte-exactly (go-tdx-guest v5 sample, automata)", () => {
    for (const file of ["go-tdx-guest/sample_tcbinfo_response_v5", "automata/tcb_info_v3_with_tdx_module.json"]) {
      const info = parseTcbInfo(memberValueText(readVectorText(file), "tcbInfo"));
      expect(info.tdxModuleIdentities.length).toBeGreaterThan(0);
    }
  });

  it("accepts a TCB Info without tdxModuleIdentities (go-tdx-guest, TDX 1.0 era)", () => {
    const text = memberValueText(readVectorText("go-tdx-guest/sample_tcbInfo_response"), "tcbInfo");
    expect(parseTcbInfo(text).tdxModuleIdentities).toEqual([]);
  });

  it("reads the FMSPC as bytes whatever its case", () => {
    expect(toHex(parseTcbInfo(mutated((json) => (json.fmspc = "b0c06f000000"))).fmspc)).toBe("b0c06f000000");
  });
});

describe("parseTcbInfo refusals", () => {
  it("refuses an SGX TCB Info (id other than TDX)", () => {
    expectRefusal(() => parseTcbInfo(mutated((json) => (json.id = "SGX"))), "TCB_INFO_UNSUPPORTED");
  });

  it("refuses a TCB Info version other than 3", () => {
    expectRefusal(() => parseTcbInfo(mutated((json) => (json.version = 2))), "TCB_INFO_UNSUPPORTED");
  });

  it("refuses a tcbType other than 0", () => {
    expectRefusal(() => parseTcbInfo(mutated((json) => (json.tcbType = 1))), "TCB_INFO_UNSUPPORTED");
  });

  const malformedCases: Array<[string, (json: any) => void]> = [
    ["a 5-byte FMSPC", (json) => (json.fmspc = "b0c06f0000")],
    ["a non-hex PCE-ID", (json) => (json.pceId = "00zz")],
    ["a date without a zone", (json) => (json.nextUpdate = "2025-07-19T10:16:03")],
    ["an impossible date", (json) => (json.issueDate = "2025-13-40T10:16:03Z")],
    ["a calendar-impossible date", (json) => (json.issueDate = "2025-02-30T10:16:03Z")],
    ["nextUpdate before issueDate", (json) => (json.nextUpdate = "2025-01-01T00:00:00Z")],
    ["a missing tdxModule", (json) => delete json.tdxModule],
    ["a 47-byte module mrsigner", (json) => (json.tdxModule.mrsigner = "00".repeat(47))],
    ["a module identity id not like TDX_01", (json) => (json.tdxModuleIdentities[0].id = "TDX_1")],
    ["a module identity without levels", (json) => (json.tdxModuleIdentities[0].tcbLevels = [])],
    ["no tcbLevels", (json) => (json.tcbLevels = [])],
    ["15 SGX components", (json) => json.tcbLevels[0].tcb.sgxtcbcomponents.pop()],
    ["17 TDX components", (json) => json.tcbLevels[0].tcb.tdxtcbcomponents.push({ svn: 0 })],
    ["an SVN of 256", (json) => (json.tcbLevels[0].tcb.sgxtcbcomponents[0].svn = 256)],
    ["a fractional SVN", (json) => (json.tcbLevels[0].tcb.sgxtcbcomponents[0].svn = 1.5)],
    ["a PCE SVN as a string", (json) => (json.tcbLevels[0].tcb.pcesvn = "11")],
    ["an unknown TCB status", (json) => (json.tcbLevels[0].tcbStatus = "Fine")],
    ["advisory ids that are not strings", (json) => (json.tcbLevels[1].advisoryIDs = [7])],
    ["a level without tcbDate", (json) => delete json.tcbLevels[0].tcbDate],
  ];
  for (const [name, mutate] of malformedCases) {
    it(`refuses ${name} as COLLATERAL_MALFORMED`, () => {
      expectRefusal(() => parseTcbInfo(mutated(mutate)), "COLLATERAL_MALFORMED");
    });
  }

  it("refuses text that is not JSON", () => {
    expectRefusal(() => parseTcbInfo(S1_TCB_INFO.slice(0, -1)), "COLLATERAL_MALFORMED");
  });

  it("refuses a JSON value that is not an object", () => {
    expectRefusal(() => parseTcbInfo("[1,2,3]"), "COLLATERAL_MALFORMED");
  });

  it("throws only AttestationError on arbitrary JSON (property)", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        try {
          parseTcbInfo(text);
        } catch (error) {
          expect(error).toBeInstanceOf(AttestationError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("throws only AttestationError when any field of a real TCB Info is replaced (property)", () => {
    const paths = ["id", "version", "fmspc", "pceId", "tcbType", "issueDate", "tdxModule", "tcbLevels", "tdxModuleIdentities"];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (key, value) => {
        try {
          parseTcbInfo(mutated((json) => (json[key] = value)));
        } catch (error) {
          expect(error).toBeInstanceOf(AttestationError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

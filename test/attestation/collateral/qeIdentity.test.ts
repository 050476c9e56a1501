import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import { memberValueText } from "../../../core/attestation/collateral/jsonSpan";
import { parseQeIdentity } from "../../../core/attestation/collateral/qeIdentity";
import { AttestationError } from "../../../core/attestation/errors";
import { expectRefusal, mutateJsonText, readVectorText, unixSeconds } from "../../helpers/collateralVectors";

/** go-tdx-guest's PCS TD_QE identity response, cut byte-exactly. */
const TD_QE = memberValueText(readVectorText("go-tdx-guest/sample_qeIdentity_response"), "enclaveIdentity");

const mutated = (mutate: (json: any) => void) => mutateJsonText(TD_QE, mutate);

describe("parseQeIdentity on real Intel TD_QE identities", () => {
  it("parses go-tdx-guest's TD_QE identity field by field", () => {
    const identity = parseQeIdentity(TD_QE);
    expect(identity.id).toBe("TD_QE");
    expect(identity.version).toBe(2);
    expect(identity.issueDate).toBe(unixSeconds("2023-06-08T07:24:59Z"));
    expect(identity.nextUpdate).toBe(unixSeconds("2023-07-08T07:24:59Z"));
    expect(identity.tcbEvaluationDataNumber).toBe(15);
    expect(toHex(identity.miscSelect)).toBe("00000000");
    expect(toHex(identity.miscSelectMask)).toBe("ffffffff");
    expect(toHex(identity.attributes)).toBe("11000000000000000000000000000000");
    expect(toHex(identity.attributesMask)).toBe("fbffffffffffffff0000000000000000");
    expect(toHex(identity.mrSigner)).toBe("dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5");
    expect(identity.isvProdId).toBe(2);
    expect(identity.tcbLevels.map((level) => [level.isvSvn, level.tcbStatus])).toEqual([[4, "UpToDate"]]);
  });

  for (const file of [
    "dcap-qvl/tdx_quote_collateral.json",
    "dcap-qvl/tdx_quote_outdated_collateral.json",
    "near-mpc/collateral.json",
    "automata/quote_tdx_collateral.json",
  ]) {
    it(`parses the QE Identity in ${file}`, () => {
      const text = (JSON.parse(readVectorText(file)) as { qe_identity: string }).qe_identity;
      expect(parseQeIdentity(text).id).toBe("TD_QE");
    });
  }

  it("parses automata's PCS QE identity body", () => {
    expect(parseQeIdentity(memberValueText(readVectorText("automata/qe_identity.json"), "enclaveIdentity")).isvProdId).toBe(2);
  });
});

describe("parseQeIdentity refusals", () => {
  it("refuses an SGX QE identity (id QE) for a TD quote", () => {
    expectRefusal(() => parseQeIdentity(mutated((json) => (json.id = "QE"))), "QE_IDENTITY_UNSUPPORTED");
  });

  it("refuses an enclave identity version other than 2", () => {
    expectRefusal(() => parseQeIdentity(mutated((json) => (json.version = 1))), "QE_IDENTITY_UNSUPPORTED");
  });

  const malformedCases: Array<[string, (json: any) => void]> = [
    ["a 3-byte miscselect", (json) => (json.miscselect = "000000")],
    ["a 15-byte attributes mask", (json) => (json.attributesMask = "ff".repeat(15))],
    ["a 31-byte mrsigner", (json) => (json.mrsigner = "00".repeat(31))],
    ["an isvprodid above 65535", (json) => (json.isvprodid = 65536)],
    ["a negative isvsvn", (json) => (json.tcbLevels[0].tcb.isvsvn = -1)],
    ["an unknown TCB status", (json) => (json.tcbLevels[0].tcbStatus = "Good")],
    ["no tcbLevels", (json) => (json.tcbLevels = [])],
    ["a missing nextUpdate", (json) => delete json.nextUpdate],
  ];
  for (const [name, mutate] of malformedCases) {
    it(`refuses ${name} as COLLATERAL_MALFORMED`, () => {
      expectRefusal(() => parseQeIdentity(mutated(mutate)), "COLLATERAL_MALFORMED");
    });
  }

  it("refuses text that is not JSON", () => {
    expectRefusal(() => parseQeIdentity("{"), "COLLATERAL_MALFORMED");
  });

  it("throws only AttestationError on arbitrary JSON (property)", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        try {
          parseQeIdentity(text);
        } catch (error) {
          expect(error).toBeInstanceOf(AttestationError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memberValueText } from "../../../core/attestation/collateral/jsonSpan";
import { AttestationError } from "../../../core/attestation/errors";
import { expectRefusal, readVectorText } from "../../helpers/collateralVectors";

describe("memberValueText cuts the exact bytes of a member's value", () => {
  it("cuts tcbInfo from a real PCS response exactly as the vectors' collateral stores it", () => {
    const body = readVectorText("go-tdx-guest/sample_tcbInfo_response");
    const collateral = JSON.parse(readVectorText("go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json")) as {
      tcb_info: string;
    };
    expect(memberValueText(body, "tcbInfo")).toBe(collateral.tcb_info);
  });

  it("keeps spacing, key order and number spelling of the value untouched", () => {
    const value = '{ "b" : 1.50, "a":[ 1e2 ,-0 ] ,"s":"x" }';
    expect(memberValueText(`{"signature":"00", "tcbInfo" : ${value}\n}`, "tcbInfo")).toBe(value);
  });

  it("is not fooled by braces, quotes and member names inside strings", () => {
    const value = '{"note":"}\\"tcbInfo\\":{","u":"\\u00e9\\\\"}';
    const body = `{"x":"\\"tcbInfo\\": 1","tcbInfo":${value},"signature":"ab"}`;
    expect(memberValueText(body, "tcbInfo")).toBe(value);
  });

  it("matches a member name written with escapes by its decoded name", () => {
    expect(memberValueText('{"tcb\\u0049nfo":[1]}', "tcbInfo")).toBe("[1]");
  });

  it("ignores a same-named member nested deeper than the top level", () => {
    expect(memberValueText('{"outer":{"tcbInfo":1},"tcbInfo":2}', "tcbInfo")).toBe("2");
  });

  it("returns the span of any JSON value under any indentation (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 0, 1, 2, "\t"), (value, indent) => {
        const body = JSON.stringify({ before: [1, { tcbInfo: 0 }], tcbInfo: value, signature: "00" }, null, indent);
        const span = memberValueText(body, "tcbInfo");
        expect(JSON.parse(span)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(body.includes(span)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("memberValueText refusals", () => {
  const cases: Array<[string, string]> = [
    ["a missing member", '{"signature":"00"}'],
    ["a duplicated member (which one did Intel sign?)", '{"tcbInfo":{},"tcbInfo":{}}'],
    ["data after the object", '{"tcbInfo":{}} x'],
    ["an array at the top", '[{"tcbInfo":{}}]'],
    ["an unterminated string", '{"tcbInfo":"abc}'],
    ["a raw control character in a string", '{"tcbInfo":"a\u0001b"}'],
    ["a bad escape", '{"tcbInfo":"\\x41"}'],
    ["a trailing comma", '{"tcbInfo":{"a":1,}}'],
    ["a leading-zero number", '{"tcbInfo":01}'],
    ["a bare word", '{"tcbInfo":yes}'],
    ["nesting deeper than 64", `{"tcbInfo":${"[".repeat(100)}${"]".repeat(100)}}`],
    ["an empty body", ""],
  ];
  for (const [name, body] of cases) {
    it(`refuses ${name} as COLLATERAL_MALFORMED`, () => {
      expectRefusal(() => memberValueText(body, "tcbInfo"), "COLLATERAL_MALFORMED");
    });
  }

  it("survives hostile deep nesting without a stack overflow", () => {
    expectRefusal(() => memberValueText(`{"a":${"[".repeat(200_000)}}`, "tcbInfo"), "COLLATERAL_MALFORMED");
  });

  it("throws only AttestationError on arbitrary text (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."{}[]\":,\\ tcbInfo01-e.nul") }), (text) => {
        try {
          memberValueText(text, "tcbInfo");
        } catch (error) {
          expect(error).toBeInstanceOf(AttestationError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("agrees with JSON.parse on what is valid JSON (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."{}[]\":,\\ tcbInfo01-e.nul") }), (text) => {
        const body = `{"tcbInfo":${text}}`;
        fc.pre(body.split('"tcbInfo"').length === 2); // a duplicate is valid JSON that we refuse on purpose
        let parses = true;
        try {
          JSON.parse(body);
        } catch {
          parses = false;
        }
        let scans = true;
        try {
          memberValueText(body, "tcbInfo");
        } catch {
          scans = false;
        }
        expect(scans).toBe(parses);
      }),
      { numRuns: 500 },
    );
  });
});

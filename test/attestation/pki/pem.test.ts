import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttestationError } from "../../../core/attestation/errors";
import { decodeUrlEncodedPem, derToPem, splitPemChain } from "../../../core/attestation/pki/pem";
import { PEM_CHAIN_FILES, PKI_SETS, loadCollateral, quotePemChain, readVectorBytes, readVectorText } from "../../helpers/pkiVectors";

function expectCode(action: () => unknown, code: string): void {
  expect(action).toThrowError(AttestationError);
  try {
    action();
  } catch (error) {
    expect((error as AttestationError).code).toBe(code);
  }
}

describe("splitPemChain", () => {
  it("splits every quote's embedded PCK chain into leaf, PCK CA and root", () => {
    for (const { set } of PKI_SETS) expect(splitPemChain(quotePemChain(set))).toHaveLength(3);
  });

  it("splits collateral issuer chains into signer and root", () => {
    const collateral = loadCollateral("dcap-qvl/tdx_quote_collateral.json");
    expect(splitPemChain(collateral.tcb_info_issuer_chain)).toHaveLength(2);
    expect(splitPemChain(collateral.pck_crl_issuer_chain)).toHaveLength(2);
    for (const file of PEM_CHAIN_FILES) expect(splitPemChain(readVectorText(file))).toHaveLength(2);
  });

  it("round-trips DER through PEM", () => {
    const root = readVectorBytes("intel-root-ca/TrustedRootCA.der");
    expect(splitPemChain(derToPem(root))).toEqual([root]);
  });

  it("accepts bytes, CRLF line ends and the NUL padding quotes put after the chain", () => {
    const text = quotePemChain("S1").replace(/\n/g, "\r\n") + "\n\u0000\u0000";
    const fromBytes = splitPemChain(new Uint8Array(Buffer.from(text, "latin1")));
    expect(fromBytes).toEqual(splitPemChain(quotePemChain("S1")));
  });

  it("decodes a URL-encoded PCS issuer-chain header", () => {
    const chain = loadCollateral("automata/quote_tdx_collateral.json").tcb_info_issuer_chain;
    const header = encodeURIComponent(chain);
    expect(header).not.toContain("-----BEGIN CERTIFICATE-----");
    expect(splitPemChain(decodeUrlEncodedPem(header))).toEqual(splitPemChain(chain));
  });

  it("refuses invalid URL encoding with CERT_MALFORMED", () => expectCode(() => decodeUrlEncodedPem("%E0%A4%A"), "CERT_MALFORMED"));
  it("refuses text with no certificate", () => expectCode(() => splitPemChain("hello"), "CERT_MALFORMED"));
  it("refuses an empty chain", () => expectCode(() => splitPemChain(""), "CERT_MALFORMED"));
  it("refuses a block without an END line", () =>
    expectCode(() => splitPemChain("-----BEGIN CERTIFICATE-----\nAAAA\n"), "CERT_MALFORMED"));
  it("refuses text between blocks", () => {
    const pem = derToPem(readVectorBytes("automata/root.der"));
    expectCode(() => splitPemChain(`${pem}junk\n${pem}`), "CERT_MALFORMED");
    expectCode(() => splitPemChain(`${pem}trailing`), "CERT_MALFORMED");
    expectCode(() => splitPemChain(`leading${pem}`), "CERT_MALFORMED");
  });
  it("refuses a body that is not base64", () => {
    expectCode(() => splitPemChain("-----BEGIN CERTIFICATE-----\nAA*A\n-----END CERTIFICATE-----"), "CERT_MALFORMED");
    expectCode(() => splitPemChain("-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----"), "CERT_MALFORMED");
    expectCode(() => splitPemChain("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"), "CERT_MALFORMED");
  });
  it("refuses non-ASCII bytes", () =>
    expectCode(() => splitPemChain(Uint8Array.of(0x2d, 0xc3, 0xa9)), "CERT_MALFORMED"));
  it("refuses more than eight certificates", () => {
    const pem = derToPem(readVectorBytes("automata/root.der"));
    expectCode(() => splitPemChain(pem.repeat(9)), "CERT_MALFORMED");
  });

  it("throws only AttestationError on mutated chains", () => {
    const chain = quotePemChain("S3");
    fc.assert(
      fc.property(fc.nat(chain.length), fc.nat(chain.length - 1), fc.string({ maxLength: 3 }), (cut, at, insert) => {
        const mutated = chain.slice(0, Math.min(at, cut)) + insert + chain.slice(Math.min(at, cut) + 1, cut);
        try {
          splitPemChain(mutated);
        } catch (error) {
          expect(error).toBeInstanceOf(AttestationError);
        }
      }),
      { numRuns: 400 },
    );
  });
});

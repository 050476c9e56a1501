import { X509Certificate, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../../core/bytes";
import {
  type Collateral,
  collateralToJson,
  loadCollateralFile,
  parseCollateralJson,
  serializeCollateral,
} from "../../../core/attestation/collateral/collateral";
import { expectRefusal, readVectorBytes, readVectorText, vectorPath } from "../../helpers/collateralVectors";

const FILES = [
  "dcap-qvl/tdx_quote_collateral.json",
  "dcap-qvl/tdx_quote_outdated_collateral.json",
  "near-mpc/collateral.json",
  "go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json",
  "automata/quote_tdx_collateral.json",
];

/** Checks a raw r‖s signature with the first certificate of a PEM chain (test-only; the PKI layer does this for real). */
function signedByChainLeaf(chainPem: string, data: string, signature: Uint8Array): boolean {
  const leafPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(chainPem)![0];
  const leaf = new X509Certificate(leafPem);
  return verify("sha256", utf8(data), { key: leaf.publicKey, dsaEncoding: "ieee-p1363" }, signature);
}

describe("parseCollateralJson on the vectors' collateral files", () => {
  for (const file of FILES) {
    it(`keeps ${file}'s signed texts byte-exact: Intel's signatures verify over them`, () => {
      const collateral = parseCollateralJson(readVectorText(file));
      expect(signedByChainLeaf(collateral.tcbInfoIssuerChainPem, collateral.tcbInfoText, collateral.tcbInfoSignature)).toBe(true);
      expect(
        signedByChainLeaf(collateral.qeIdentityIssuerChainPem, collateral.qeIdentityText, collateral.qeIdentitySignature),
      ).toBe(true);
    });
  }

  it("holds every field of the go-tdx-guest collateral, byte for byte against its source pieces", () => {
    const collateral = parseCollateralJson(readVectorText("go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json"));
    expect(collateral.pckCrlDer).toEqual(readVectorBytes("go-tdx-guest/pckcrl"));
    expect(collateral.rootCaCrlDer).toEqual(readVectorBytes("go-tdx-guest/rootcrl.der"));
    expect(collateral.tcbInfoIssuerChainPem).toBe(readVectorText("go-tdx-guest/tcb_info_issuer_chain.pem"));
    expect(collateral.qeIdentityIssuerChainPem).toBe(readVectorText("go-tdx-guest/tcb_info_issuer_chain.pem"));
    expect(collateral.pckCrlIssuerChainPem).toBe(readVectorText("go-tdx-guest/pck_crl_issuer_chain.pem"));
    expect(collateral.tcbInfoSignature).toHaveLength(64);
    expect(toHex(collateral.tcbInfo.fmspc)).toBe("50806f000000");
    expect(collateral.pckCertificateChainPem).toBeUndefined();
  });

  it("keeps near-mpc's pck_certificate_chain", () => {
    const collateral = parseCollateralJson(readVectorText("near-mpc/collateral.json"));
    expect(collateral.pckCertificateChainPem).toContain("-----BEGIN CERTIFICATE-----");
  });

  for (const file of ["go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json", "automata/quote_tdx_collateral.json", "near-mpc/collateral.json"]) {
    it(`serializes ${file} back to its exact file bytes`, () => {
      const text = readVectorText(file);
      expect(serializeCollateral(parseCollateralJson(text))).toBe(text);
    });
  }

  it("accepts signatures and CRLs given as arrays of byte values (dcap-qvl JS output)", () => {
    const json = JSON.parse(readVectorText(FILES[0]!)) as Record<string, string>;
    const asArrays = { ...json } as Record<string, unknown>;
    for (const key of ["root_ca_crl", "pck_crl", "tcb_info_signature", "qe_identity_signature"]) {
      asArrays[key] = [...Buffer.from(json[key]!, "hex")];
    }
    const fromArrays = parseCollateralJson(JSON.stringify(asArrays));
    const fromHex = parseCollateralJson(JSON.stringify(json));
    expect(collateralToJson(fromArrays)).toEqual(collateralToJson(fromHex));
  });

  it("loads a collateral file from disk", () => {
    const collateral: Collateral = loadCollateralFile(vectorPath(FILES[3]!));
    expect(collateral.qeIdentity.id).toBe("TD_QE");
  });
});

describe("parseCollateralJson refusals", () => {
  const base = JSON.parse(readVectorText("dcap-qvl/tdx_quote_collateral.json")) as Record<string, unknown>;
  const withField = (key: string, value: unknown) => JSON.stringify({ ...base, [key]: value });

  const malformedCases: Array<[string, string]> = [
    ["text that is not JSON", "{"],
    ["a JSON array", "[]"],
    ["a 63-byte TCB Info signature", withField("tcb_info_signature", "00".repeat(63))],
    ["a non-hex QE Identity signature", withField("qe_identity_signature", "zz".repeat(64))],
    ["a byte array with a value above 255", withField("tcb_info_signature", Array(64).fill(256))],
    ["a PCK CRL that is not DER", withField("pck_crl", "0102")],
    ["an empty root CA CRL", withField("root_ca_crl", "")],
    ["a TCB Info issuer chain without a certificate", withField("tcb_info_issuer_chain", "not a pem")],
    ["a missing QE Identity issuer chain", withField("qe_identity_issuer_chain", undefined)],
    ["a tcb_info that is not a string", withField("tcb_info", { id: "TDX" })],
    ["a pck_certificate_chain without a certificate", withField("pck_certificate_chain", "x")],
  ];
  for (const [name, text] of malformedCases) {
    it(`refuses ${name} as COLLATERAL_MALFORMED`, () => {
      expectRefusal(() => parseCollateralJson(text), "COLLATERAL_MALFORMED");
    });
  }

  it("refuses a collateral whose tcb_info is an SGX TCB Info", () => {
    const tcbInfo = (base.tcb_info as string).replace('"id":"TDX"', '"id":"SGX"');
    expectRefusal(() => parseCollateralJson(withField("tcb_info", tcbInfo)), "TCB_INFO_UNSUPPORTED");
  });

  it("refuses a collateral whose qe_identity is an SGX QE identity", () => {
    const qeIdentity = (base.qe_identity as string).replace('"id":"TD_QE"', '"id":"QE"');
    expectRefusal(() => parseCollateralJson(withField("qe_identity", qeIdentity)), "QE_IDENTITY_UNSUPPORTED");
  });

  it("reports a missing collateral file as COLLATERAL_UNAVAILABLE", () => {
    expectRefusal(() => loadCollateralFile(vectorPath("no-such-collateral.json")), "COLLATERAL_UNAVAILABLE");
  });
});

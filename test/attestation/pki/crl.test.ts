import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttestationError } from "../../../core/attestation/errors";
import { type Crl, isRevoked, parseCrl, verifyCrl } from "../../../core/attestation/pki/crl";
import { splitPemChain } from "../../../core/attestation/pki/pem";
import { type Certificate, parseCertificate } from "../../../core/attestation/pki/x509";
import {
  COLLATERAL_FILES,
  type CollateralFile,
  DER_CRL_FILES,
  PKI_SETS,
  hexBytes,
  loadCollateral,
  quotePemChain,
  readVectorBytes,
  unixSeconds,
} from "../../helpers/pkiVectors";
import {
  ECDSA_SHA256,
  NOW,
  T0,
  T1,
  extension,
  explicit,
  integer,
  makeCertificate,
  makeCrl,
  name,
  newKey,
  seq,
  utcTime,
} from "./syntheticPki";

const root = parseCertificate(readVectorBytes("intel-root-ca/TrustedRootCA.der"));
const platformCa = parseCertificate(readVectorBytes("automata/platform.der"));

function nowFor(file: CollateralFile): number {
  const set = PKI_SETS.find((candidate) => candidate.collateral === file);
  if (!set) throw new Error(`no set uses ${file}`);
  return set.now;
}

function expectCode(action: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected ${code}`).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe(code);
}

/** Root CRL, PCK CRL and the PCK CRL issuer from one collateral file. */
function collateralCrls(file: CollateralFile): { rootCrl: Crl; pckCrl: Crl; pckCrlIssuer: Certificate; now: number } {
  const collateral = loadCollateral(file);
  return {
    rootCrl: parseCrl(hexBytes(collateral.root_ca_crl)),
    pckCrl: parseCrl(hexBytes(collateral.pck_crl)),
    pckCrlIssuer: parseCertificate(splitPemChain(collateral.pck_crl_issuer_chain)[0] as Uint8Array),
    now: nowFor(file),
  };
}

describe("parseCrl on real Intel CRLs", () => {
  it("parses the DER CRL files with the issuers and windows the README lists", () => {
    const expected: Record<(typeof DER_CRL_FILES)[number], [string, string, string]> = {
      "go-tdx-guest/pckcrl": ["Intel SGX PCK Platform CA", "2023-06-08T07:27:52Z", "2023-07-08T07:27:52Z"],
      "go-tdx-guest/rootcrl.der": ["Intel SGX Root CA", "2023-04-03T10:22:51Z", "2024-04-02T10:22:51Z"],
      "automata/pck_platform_crl.der": ["Intel SGX PCK Platform CA", "2025-07-07T09:15:57Z", "2025-08-06T09:15:57Z"],
      "automata/intel_root_ca_crl.der": ["Intel SGX Root CA", "2025-03-20T11:21:57Z", "2026-04-03T11:21:57Z"],
    };
    for (const file of DER_CRL_FILES) {
      const crl = parseCrl(readVectorBytes(file));
      const [issuer, thisUpdate, nextUpdate] = expected[file];
      expect(crl.issuerCommonName, file).toBe(issuer);
      expect(crl.thisUpdate, file).toBe(unixSeconds(thisUpdate));
      expect(crl.nextUpdate, file).toBe(unixSeconds(nextUpdate));
      expect(crl.signatureAlgorithm).toBe("1.2.840.10045.4.3.2");
      expect(crl.unknownCriticalExtensions).toEqual([]);
    }
  });

  it("reads the revoked serials of the PCK Platform CA CRL (root CRLs list none)", () => {
    const pckCrl = parseCrl(readVectorBytes("automata/pck_platform_crl.der"));
    expect(pckCrl.revokedSerials.size).toBe(44);
    expect(pckCrl.revokedSerials.has("6fc34e5023e728923435d61aa4b83c618166ad35")).toBe(true);
    // Encoded with a 0x00 sign byte (21 bytes); stored without it, as certificate serials are.
    expect(pckCrl.revokedSerials.has("efae6e9715fca13b87e333e8261ed6d990a926ad")).toBe(true);
    expect(parseCrl(readVectorBytes("automata/intel_root_ca_crl.der")).revokedSerials.size).toBe(0);
  });

  it("parses the hex CRLs in every collateral file; assembled collateral matches its DER sources", () => {
    for (const file of COLLATERAL_FILES) {
      const { rootCrl, pckCrl } = collateralCrls(file);
      expect(rootCrl.issuerCommonName).toBe("Intel SGX Root CA");
      expect(pckCrl.issuerCommonName).toBe("Intel SGX PCK Platform CA");
    }
    const assembled = loadCollateral("go-tdx-guest/tdx_prod_quote_SPR_E4_collateral.json");
    expect(hexBytes(assembled.pck_crl)).toEqual(readVectorBytes("go-tdx-guest/pckcrl"));
    expect(hexBytes(assembled.root_ca_crl)).toEqual(readVectorBytes("go-tdx-guest/rootcrl.der"));
  });
});

describe("verifyCrl", () => {
  it("verifies every collateral CRL against its issuer at the set's now", () => {
    for (const file of COLLATERAL_FILES) {
      const { rootCrl, pckCrl, pckCrlIssuer, now } = collateralCrls(file);
      expect(() => verifyCrl(rootCrl, root, now)).not.toThrow();
      expect(() => verifyCrl(pckCrl, pckCrlIssuer, now)).not.toThrow();
    }
  });

  it("accepts a CRL at exactly thisUpdate and exactly nextUpdate", () => {
    const { pckCrl, pckCrlIssuer } = collateralCrls("dcap-qvl/tdx_quote_collateral.json");
    expect(() => verifyCrl(pckCrl, pckCrlIssuer, pckCrl.thisUpdate)).not.toThrow();
    expect(() => verifyCrl(pckCrl, pckCrlIssuer, pckCrl.nextUpdate)).not.toThrow();
  });

  it("refuses a CRL one second after its nextUpdate (CRL_EXPIRED)", () => {
    const { pckCrl, pckCrlIssuer, rootCrl } = collateralCrls("dcap-qvl/tdx_quote_collateral.json");
    expectCode(() => verifyCrl(pckCrl, pckCrlIssuer, pckCrl.nextUpdate + 1), "CRL_EXPIRED");
    expectCode(() => verifyCrl(rootCrl, root, rootCrl.nextUpdate + 1), "CRL_EXPIRED");
  });

  it("refuses a CRL one second before its thisUpdate (CRL_NOT_YET_VALID)", () => {
    const { pckCrl, pckCrlIssuer } = collateralCrls("near-mpc/collateral.json");
    expectCode(() => verifyCrl(pckCrl, pckCrlIssuer, pckCrl.thisUpdate - 1), "CRL_NOT_YET_VALID");
  });

  it("refuses a CRL checked against a certificate that did not issue it (CRL_ISSUER_MISMATCH)", () => {
    const { rootCrl, pckCrl, now } = collateralCrls("automata/quote_tdx_collateral.json");
    expectCode(() => verifyCrl(rootCrl, platformCa, now), "CRL_ISSUER_MISMATCH");
    expectCode(() => verifyCrl(pckCrl, root, now), "CRL_ISSUER_MISMATCH");
  });

  it("refuses a CRL whose signature has one flipped byte (CRL_SIGNATURE_INVALID)", () => {
    const der = readVectorBytes("automata/pck_platform_crl.der");
    const mutated = der.slice();
    mutated[mutated.length - 1] = (mutated[mutated.length - 1] as number) ^ 0x01; // last byte of s
    expectCode(() => verifyCrl(parseCrl(mutated), platformCa, unixSeconds("2025-07-22T00:00:00Z")), "CRL_SIGNATURE_INVALID");
  });

  it("accepts no single-byte change anywhere in a signed CRL", () => {
    const der = readVectorBytes("automata/intel_root_ca_crl.der");
    const now = unixSeconds("2025-07-22T00:00:00Z");
    expect(() => verifyCrl(parseCrl(der), root, now)).not.toThrow();
    const allowed = new Set(["CRL_MALFORMED", "CRL_SIGNATURE_INVALID", "CRL_ISSUER_MISMATCH"]);
    for (let at = 0; at < der.length; at++) {
      const mutated = der.slice();
      mutated[at] = (mutated[at] as number) ^ 0x01;
      let code: string | undefined;
      try {
        verifyCrl(parseCrl(mutated), root, now);
      } catch (error) {
        expect(error).toBeInstanceOf(AttestationError);
        code = (error as AttestationError).code;
      }
      expect(allowed.has(code ?? "accepted"), `byte ${at}: ${code ?? "accepted"}`).toBe(true);
    }
  });

  it("refuses a CRL whose issuer is not a CA (CRL_ISSUER_MISMATCH)", () => {
    const key = newKey();
    const endEntity = parseCertificate(
      makeCertificate({ serial: 9, issuer: "EE", subject: "EE", notBefore: T0, notAfter: T1, subjectKey: key, issuerKey: key, ca: false }),
    );
    const crl = parseCrl(makeCrl({ issuer: "EE", issuerKey: key, thisUpdate: NOW - 10, nextUpdate: NOW + 10 }));
    expectCode(() => verifyCrl(crl, endEntity, NOW), "CRL_ISSUER_MISMATCH");
  });

  it("refuses a CRL with a critical extension it does not process (CRL_MALFORMED)", () => {
    const key = newKey();
    const ca = parseCertificate(
      makeCertificate({ serial: 9, issuer: "CA", subject: "CA", notBefore: T0, notAfter: T1, subjectKey: key, issuerKey: key, ca: {}, keyUsage: 0x06 }),
    );
    const window = { thisUpdate: NOW - 10, nextUpdate: NOW + 10 };
    expect(() => verifyCrl(parseCrl(makeCrl({ issuer: "CA", issuerKey: key, ...window })), ca, NOW)).not.toThrow();
    // issuingDistributionPoint (2.5.29.28) narrows a CRL's scope; ignoring it would be unsafe.
    const scoped = parseCrl(makeCrl({ issuer: "CA", issuerKey: key, ...window, extraExtensions: [extension("2.5.29.28", seq(), true)] }));
    expect(scoped.unknownCriticalExtensions).toEqual(["2.5.29.28"]);
    expectCode(() => verifyCrl(scoped, ca, NOW), "CRL_MALFORMED");
  });
});

describe("parseCrl refusals", () => {
  const key = newKey();
  const tbsParts = [integer(1), ECDSA_SHA256, name("CA"), utcTime(NOW - 10), utcTime(NOW + 10), explicit(0, seq(extension("2.5.29.20", integer(1))))];
  const wrap = (tbs: Uint8Array): Uint8Array => {
    const good = readVectorBytes("automata/intel_root_ca_crl.der");
    const signature = good.subarray(good.length - 73); // BIT STRING of a real signature
    return seq(tbs, ECDSA_SHA256, signature);
  };

  it("accepts the hand-built control", () => expect(parseCrl(wrap(seq(...tbsParts))).issuerCommonName).toBe("CA"));
  it("refuses a CRL without nextUpdate", () => {
    const parts = tbsParts.filter((_, index) => index !== 4);
    expectCode(() => parseCrl(wrap(seq(...parts))), "CRL_MALFORMED");
  });
  it("refuses a v1 CRL (no version field)", () => expectCode(() => parseCrl(wrap(seq(...tbsParts.slice(1)))), "CRL_MALFORMED"));
  it("refuses trailing bytes", () => expectCode(() => parseCrl(Uint8Array.from([...makeCrl({ issuer: "CA", issuerKey: key, thisUpdate: NOW, nextUpdate: NOW + 1 }), 0])), "CRL_MALFORMED"));
  it("refuses input that is not a Uint8Array", () => expectCode(() => parseCrl([1, 2] as unknown as Uint8Array), "CRL_MALFORMED"));

  it("throws only AttestationError(CRL_MALFORMED) on random, truncated and mutated CRLs", () => {
    const der = readVectorBytes("go-tdx-guest/pckcrl");
    fc.assert(
      fc.property(fc.nat(der.length), fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), (cut, at, xor) => {
        const mutated = der.slice(0, cut);
        if (at < mutated.length) mutated[at] = (mutated[at] as number) ^ xor;
        try {
          parseCrl(mutated);
        } catch (error) {
          expect(error).toBeInstanceOf(AttestationError);
          expect((error as AttestationError).code).toBe("CRL_MALFORMED");
        }
      }),
      { numRuns: 600 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (data) => expectCode(() => parseCrl(data), "CRL_MALFORMED")), { numRuns: 300 });
  });
});

describe("isRevoked", () => {
  const pckCrl = parseCrl(readVectorBytes("automata/pck_platform_crl.der"));
  const leaf = parseCertificate(splitPemChain(quotePemChain("S8"))[0] as Uint8Array);

  it("does not list a PCK leaf whose serial is absent", () => expect(isRevoked(pckCrl, leaf)).toBe(false));

  it("lists a certificate whose serial appears in the CRL", () => {
    const listed = [...pckCrl.revokedSerials][5] as string;
    expect(isRevoked(pckCrl, { ...leaf, serialHex: listed })).toBe(true);
  });
});

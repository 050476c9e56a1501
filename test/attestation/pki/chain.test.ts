import { describe, expect, it } from "vitest";
import { AttestationError } from "../../../core/attestation/errors";
import { type VerifyCertificateChainParameters, verifyCertificateChain } from "../../../core/attestation/pki/chain";
import { type Crl, parseCrl } from "../../../core/attestation/pki/crl";
import { splitPemChain } from "../../../core/attestation/pki/pem";
import { type Certificate, parseCertificate } from "../../../core/attestation/pki/x509";
import {
  COLLATERAL_FILES,
  type CollateralFile,
  PKI_SETS,
  type PkiSet,
  S5,
  hexBytes,
  intelRootDer,
  loadCollateral,
  quotePemChain,
  unixSeconds,
} from "../../helpers/pkiVectors";
import { NOW, T0, T1, buildTestPki, extension, makeCertificate, newKey } from "./syntheticPki";

const INTEL_ROOT = intelRootDer();

function crlsOf(file: CollateralFile): { rootCrl: Crl; pckCrl: Crl } {
  const collateral = loadCollateral(file);
  return { rootCrl: parseCrl(hexBytes(collateral.root_ca_crl)), pckCrl: parseCrl(hexBytes(collateral.pck_crl)) };
}

function pckChainParameters(set: PkiSet, now = set.now): VerifyCertificateChainParameters {
  const { rootCrl, pckCrl } = crlsOf(set.collateral);
  return {
    chain: splitPemChain(quotePemChain(set.set)).map(parseCertificate),
    trustedRoots: [INTEL_ROOT],
    crls: [rootCrl, pckCrl],
    now,
  };
}

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AttestationError);
    return (error as AttestationError).code;
  }
  return "accepted";
}

const S1 = PKI_SETS[0] as PkiSet;

describe("verifyCertificateChain with real Intel chains", () => {
  it("verifies every quote's PCK chain to the pinned Intel root at the set's now", () => {
    for (const set of PKI_SETS) {
      const verified = verifyCertificateChain(pckChainParameters(set));
      expect(verified.leaf.serialHex, set.set).toBe(set.leaf.serialHex.toLowerCase());
      expect(verified.root.der).toEqual(INTEL_ROOT);
      expect(verified.chain).toHaveLength(3);
      expect(verified.validFrom).toBeLessThanOrEqual(set.now);
      expect(verified.validUntil).toBeGreaterThanOrEqual(set.now);
    }
  });

  it("computes the window S1's README gives: it ends at the PCK CRL nextUpdate", () => {
    const verified = verifyCertificateChain(pckChainParameters(S1));
    expect(verified.validUntil).toBe(unixSeconds("2025-07-19T10:00:35Z"));
    expect(verified.validUntil).toBe(S1.now + 1);
  });

  it("verifies S5's chain with the 2026-08 Platform CA CRL (same CA as S3)", () => {
    expect(verifyCertificateChain(pckChainParameters(S5)).leaf.serialHex).toBe(S5.leaf.serialHex.toLowerCase());
  });

  it("verifies the TCB Info, QE Identity and PCK CRL issuer chains of every collateral with the root CRL", () => {
    for (const file of COLLATERAL_FILES) {
      const collateral = loadCollateral(file);
      const { rootCrl } = crlsOf(file);
      const now = (PKI_SETS.find((set) => set.collateral === file) as PkiSet).now;
      for (const pem of [collateral.tcb_info_issuer_chain, collateral.qe_identity_issuer_chain, collateral.pck_crl_issuer_chain]) {
        const verified = verifyCertificateChain({ chain: splitPemChain(pem).map(parseCertificate), trustedRoots: [INTEL_ROOT], crls: [rootCrl], now });
        expect(verified.leaf.subjectCommonName).toMatch(/^Intel SGX (TCB Signing|PCK Platform CA)$/);
      }
    }
  });

  it("verifies near-mpc's collateral pck_certificate_chain, which equals its quote's chain", () => {
    const collateral = loadCollateral("near-mpc/collateral.json");
    const fromCollateral = splitPemChain(collateral.pck_certificate_chain as string);
    expect(fromCollateral).toEqual(splitPemChain(quotePemChain("S3")));
    const set = PKI_SETS.find((candidate) => candidate.set === "S3") as PkiSet;
    expect(() => verifyCertificateChain({ ...pckChainParameters(set), chain: fromCollateral.map(parseCertificate) })).not.toThrow();
  });
});

describe("verifyCertificateChain refusals on real chains", () => {
  it("accepts at the PCK CRL's nextUpdate and refuses one second later (CRL_EXPIRED)", () => {
    const { pckCrl } = crlsOf(S1.collateral);
    expect(() => verifyCertificateChain(pckChainParameters(S1, pckCrl.nextUpdate))).not.toThrow();
    expect(codeOf(() => verifyCertificateChain(pckChainParameters(S1, pckCrl.nextUpdate + 1)))).toBe("CRL_EXPIRED");
  });

  it("refuses before a CRL's thisUpdate (CRL_NOT_YET_VALID)", () => {
    const { pckCrl } = crlsOf(S1.collateral);
    expect(codeOf(() => verifyCertificateChain(pckChainParameters(S1, pckCrl.thisUpdate - 1)))).toBe("CRL_NOT_YET_VALID");
  });

  it("refuses S5's leaf (valid from 2026-04-15) at S2's now, 2026-03-05 (CERT_NOT_YET_VALID)", () => {
    const early = { ...S5, collateral: "dcap-qvl/tdx_quote_outdated_collateral.json" as const, now: 1772707803 };
    expect(early.now).toBeLessThan(unixSeconds(S5.leaf.notBefore));
    expect(codeOf(() => verifyCertificateChain(pckChainParameters(early)))).toBe("CERT_NOT_YET_VALID");
  });

  it("refuses one second after the PCK leaf's notAfter (CERT_EXPIRED)", () => {
    expect(codeOf(() => verifyCertificateChain(pckChainParameters(S1, unixSeconds(S1.leaf.notAfter) + 1)))).toBe("CERT_EXPIRED");
  });

  it("refuses a chain when the trusted root is a different certificate (CERT_UNTRUSTED_ROOT)", () => {
    const other = buildTestPki().root;
    expect(codeOf(() => verifyCertificateChain({ ...pckChainParameters(S1), trustedRoots: [other] }))).toBe("CERT_UNTRUSTED_ROOT");
    expect(codeOf(() => verifyCertificateChain({ ...pckChainParameters(S1), trustedRoots: [] }))).toBe("CERT_UNTRUSTED_ROOT");
  });

  it("refuses a chain that stops below the root (CERT_UNTRUSTED_ROOT)", () => {
    const parameters = pckChainParameters(S1);
    expect(codeOf(() => verifyCertificateChain({ ...parameters, chain: parameters.chain.slice(0, 2) }))).toBe("CERT_UNTRUSTED_ROOT");
  });

  it("refuses a flipped byte in the leaf's or PCK CA's signature (CERT_SIGNATURE_INVALID) and in the root's (CERT_UNTRUSTED_ROOT)", () => {
    const ders = splitPemChain(quotePemChain("S1"));
    const expected = ["CERT_SIGNATURE_INVALID", "CERT_SIGNATURE_INVALID", "CERT_UNTRUSTED_ROOT"];
    ders.forEach((der, index) => {
      const mutated = der.slice();
      mutated[mutated.length - 1] = (mutated[mutated.length - 1] as number) ^ 0x01; // last byte of s
      const chain = ders.map((original, position) => parseCertificate(position === index ? mutated : original));
      expect(codeOf(() => verifyCertificateChain({ ...pckChainParameters(S1), chain })), `certificate ${index}`).toBe(expected[index]);
    });
  });

  it("accepts no single-bit change anywhere in the leaf or the PCK CA certificate", () => {
    const ders = splitPemChain(quotePemChain("S1"));
    const parameters = pckChainParameters(S1);
    const allowed = new Set(["CERT_MALFORMED", "CERT_SIGNATURE_INVALID", "CERT_CHAIN_INVALID"]);
    const seen = new Set<string>();
    for (const index of [0, 1]) {
      const der = ders[index] as Uint8Array;
      for (let at = 0; at < der.length; at++) {
        const mutated = der.slice();
        mutated[at] = (mutated[at] as number) ^ 0x01;
        const code = codeOf(() => {
          const chain = parameters.chain.slice();
          chain[index] = parseCertificate(mutated);
          verifyCertificateChain({ ...parameters, chain });
        });
        seen.add(code);
        expect(allowed.has(code), `certificate ${index} byte ${at}: ${code}`).toBe(true);
      }
    }
    expect(seen).toEqual(allowed);
  });

  it("refuses a PCK CRL with a flipped signature byte (CRL_SIGNATURE_INVALID)", () => {
    const der = hexBytes(loadCollateral(S1.collateral).pck_crl);
    der[der.length - 1] = (der[der.length - 1] as number) ^ 0x01;
    const { rootCrl } = crlsOf(S1.collateral);
    expect(codeOf(() => verifyCertificateChain({ ...pckChainParameters(S1), crls: [rootCrl, parseCrl(der)] }))).toBe("CRL_SIGNATURE_INVALID");
  });

  it("refuses a CRL from an issuer outside the chain (CRL_ISSUER_MISMATCH)", () => {
    const collateral = loadCollateral(S1.collateral);
    const { rootCrl, pckCrl } = crlsOf(S1.collateral);
    const tcbChain = splitPemChain(collateral.tcb_info_issuer_chain).map(parseCertificate);
    expect(codeOf(() => verifyCertificateChain({ chain: tcbChain, trustedRoots: [INTEL_ROOT], crls: [rootCrl, pckCrl], now: S1.now }))).toBe(
      "CRL_ISSUER_MISMATCH",
    );
  });

  it("requires CRL coverage: the PCK leaf by the PCK CA CRL and the PCK CA by the root CRL (CERT_CHAIN_INVALID)", () => {
    const { rootCrl, pckCrl } = crlsOf(S1.collateral);
    expect(codeOf(() => verifyCertificateChain({ ...pckChainParameters(S1), crls: [rootCrl] }))).toBe("CERT_CHAIN_INVALID");
    expect(codeOf(() => verifyCertificateChain({ ...pckChainParameters(S1), crls: [pckCrl] }))).toBe("CERT_CHAIN_INVALID");
    expect(codeOf(() => verifyCertificateChain({ ...pckChainParameters(S1), crls: [] }))).toBe("CERT_CHAIN_INVALID");
  });

  it("refuses a PCK leaf whose serial the real PCK CRL lists (CERT_REVOKED)", () => {
    const parameters = pckChainParameters(S1);
    const { pckCrl } = crlsOf(S1.collateral);
    const listed = [...pckCrl.revokedSerials][0] as string;
    // Same signed bytes, so every other check still passes; only the serial lookup changes.
    const leaf: Certificate = { ...(parameters.chain[0] as Certificate), serialHex: listed };
    expect(codeOf(() => verifyCertificateChain({ ...parameters, chain: [leaf, ...parameters.chain.slice(1)] }))).toBe("CERT_REVOKED");
  });

  it("refuses certificates out of order or a missing intermediate (CERT_CHAIN_INVALID)", () => {
    const parameters = pckChainParameters(S1);
    const [leaf, platform, root] = parameters.chain as [Certificate, Certificate, Certificate];
    expect(codeOf(() => verifyCertificateChain({ ...parameters, chain: [platform, leaf, root] }))).toBe("CERT_CHAIN_INVALID");
    expect(codeOf(() => verifyCertificateChain({ ...parameters, chain: [leaf, root] }))).toBe("CERT_CHAIN_INVALID");
  });

  it("refuses a chain of one certificate, a chain longer than five, and a non-finite now", () => {
    const parameters = pckChainParameters(S1);
    const root = parameters.chain[2] as Certificate;
    expect(codeOf(() => verifyCertificateChain({ ...parameters, chain: [root] }))).toBe("CERT_CHAIN_INVALID");
    expect(codeOf(() => verifyCertificateChain({ ...parameters, chain: new Array(6).fill(root) }))).toBe("CERT_CHAIN_INVALID");
    expect(codeOf(() => verifyCertificateChain({ ...parameters, now: Number.NaN }))).toBe("CERT_CHAIN_INVALID");
  });
});

describe("verifyCertificateChain rules on a synthetic PKI", () => {
  function verify(pki: ReturnType<typeof buildTestPki>, options: { leaf?: Uint8Array; intermediate?: Uint8Array; rootCrl?: Uint8Array; intermediateCrl?: Uint8Array } = {}) {
    return verifyCertificateChain({
      chain: [options.leaf ?? pki.leaf, options.intermediate ?? pki.intermediate, pki.root].map(parseCertificate),
      trustedRoots: [pki.root],
      crls: [options.rootCrl ?? pki.rootCrl(), options.intermediateCrl ?? pki.intermediateCrl()].map(parseCrl),
      now: NOW,
    });
  }

  it("verifies a development CA chain the same way as Intel's", () => {
    const pki = buildTestPki();
    expect(verify(pki).leaf.subjectCommonName).toBe("Test PCK Certificate");
  });

  it("refuses a leaf its issuer's CRL lists (CERT_REVOKED)", () => {
    const pki = buildTestPki({ leafSerial: 0x1234 });
    expect(codeOf(() => verify(pki, { intermediateCrl: pki.intermediateCrl([7, 0x1234]) }))).toBe("CERT_REVOKED");
  });

  it("refuses an intermediate the root CRL lists (CERT_REVOKED)", () => {
    const pki = buildTestPki({ intermediateSerial: 0x99 });
    expect(codeOf(() => verify(pki, { rootCrl: pki.rootCrl([0x99]) }))).toBe("CERT_REVOKED");
  });

  it("ignores a serial listed by a CRL from a different issuer", () => {
    const pki = buildTestPki({ leafSerial: 0x1234 });
    expect(() => verify(pki, { rootCrl: pki.rootCrl([0x1234]) })).not.toThrow();
  });

  it("refuses an issuer that is not a CA (CERT_CHAIN_INVALID)", () => {
    const pki = buildTestPki();
    const intermediate = makeCertificate({
      serial: 2, issuer: "Test Root CA", subject: "Test Platform CA", notBefore: T0, notAfter: T1,
      subjectKey: pki.intermediateKey, issuerKey: pki.rootKey, ca: false,
    });
    expect(codeOf(() => verify(pki, { intermediate }))).toBe("CERT_CHAIN_INVALID");
  });

  it("refuses an issuer whose keyUsage lacks keyCertSign (CERT_CHAIN_INVALID)", () => {
    const pki = buildTestPki();
    const intermediate = makeCertificate({
      serial: 2, issuer: "Test Root CA", subject: "Test Platform CA", notBefore: T0, notAfter: T1,
      subjectKey: pki.intermediateKey, issuerKey: pki.rootKey, ca: { pathLength: 0 }, keyUsage: 0x02,
    });
    expect(codeOf(() => verify(pki, { intermediate }))).toBe("CERT_CHAIN_INVALID");
  });

  it("refuses a path longer than an issuer's pathLen (CERT_CHAIN_INVALID)", () => {
    const pki = buildTestPki();
    const subKey = newKey();
    // root (pathLen 1) → intermediate (pathLen 0) → sub-CA → leaf: the intermediate's limit is exceeded.
    const subCa = makeCertificate({
      serial: 3, issuer: "Test Platform CA", subject: "Test Sub CA", notBefore: T0, notAfter: T1,
      subjectKey: subKey, issuerKey: pki.intermediateKey, ca: {}, keyUsage: 0x06,
    });
    const leaf = makeCertificate({
      serial: 4, issuer: "Test Sub CA", subject: "Leaf", notBefore: T0, notAfter: T1, subjectKey: newKey(), issuerKey: subKey, ca: false,
    });
    const code = codeOf(() =>
      verifyCertificateChain({
        chain: [leaf, subCa, pki.intermediate, pki.root].map(parseCertificate),
        trustedRoots: [pki.root],
        crls: [pki.rootCrl(), pki.intermediateCrl()].map(parseCrl),
        now: NOW,
      }),
    );
    expect(code).toBe("CERT_CHAIN_INVALID");
  });

  it("refuses a certificate with an unknown critical extension (CERT_CHAIN_INVALID)", () => {
    const pki = buildTestPki();
    const leaf = makeCertificate({
      serial: 5, issuer: "Test Platform CA", subject: "Leaf", notBefore: T0, notAfter: T1, subjectKey: newKey(),
      issuerKey: pki.intermediateKey, ca: false, extraExtensions: [extension("1.3.6.1.4.1.99999.1", Uint8Array.of(5, 0), true)],
    });
    expect(codeOf(() => verify(pki, { leaf }))).toBe("CERT_CHAIN_INVALID");
  });

  it("refuses an expired intermediate (CERT_EXPIRED)", () => {
    const pki = buildTestPki();
    const intermediate = makeCertificate({
      serial: 2, issuer: "Test Root CA", subject: "Test Platform CA", notBefore: T0, notAfter: NOW - 1,
      subjectKey: pki.intermediateKey, issuerKey: pki.rootKey, ca: { pathLength: 0 }, keyUsage: 0x06,
    });
    expect(codeOf(() => verify(pki, { intermediate }))).toBe("CERT_EXPIRED");
  });
});

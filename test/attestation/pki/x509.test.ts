import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import { AttestationError } from "../../../core/attestation/errors";
import { splitPemChain } from "../../../core/attestation/pki/pem";
import { DerReader } from "../../../core/attestation/pki/der";
import { parseCertificate, unknownCriticalExtensions } from "../../../core/attestation/pki/x509";
import {
  COLLATERAL_FILES,
  DER_CERTIFICATE_FILES,
  PEM_CHAIN_FILES,
  PKI_SETS,
  S5,
  loadCollateral,
  quotePemChain,
  readVectorBytes,
  readVectorText,
  unixSeconds,
} from "../../helpers/pkiVectors";
import { ECDSA_SHA256, NOW, T0, T1, extension, makeCertificate, newKey, oid, seq } from "./syntheticPki";

function allVectorCertificates(): Uint8Array[] {
  const ders: Uint8Array[] = DER_CERTIFICATE_FILES.map((file) => readVectorBytes(file));
  for (const file of PEM_CHAIN_FILES) ders.push(...splitPemChain(readVectorText(file)));
  for (const file of COLLATERAL_FILES) {
    const collateral = loadCollateral(file);
    for (const chain of [collateral.pck_crl_issuer_chain, collateral.tcb_info_issuer_chain, collateral.qe_identity_issuer_chain]) {
      ders.push(...splitPemChain(chain));
    }
    if (collateral.pck_certificate_chain) ders.push(...splitPemChain(collateral.pck_certificate_chain));
  }
  for (const { set } of [...PKI_SETS, S5]) ders.push(...splitPemChain(quotePemChain(set)));
  return ders;
}

function expectCode(action: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AttestationError);
  expect((thrown as AttestationError).code).toBe(code);
}

describe("parseCertificate on real Intel certificates", () => {
  it("parses every certificate in the vectors (quotes, collateral chains, DER and PEM files)", () => {
    const ders = allVectorCertificates();
    expect(ders.length).toBeGreaterThan(50);
    for (const der of ders) {
      const certificate = parseCertificate(der);
      expect(certificate.signatureAlgorithm).toBe("1.2.840.10045.4.3.2");
      expect(certificate.publicKey).toHaveLength(65);
      expect(certificate.issuerCommonName).toMatch(/^Intel SGX (Root CA|PCK Platform CA)$/);
      expect(certificate.der[0]).toBe(0x30);
      // The TBS is the first element inside the certificate, byte for byte.
      expect(toHex(certificate.der).includes(toHex(certificate.tbs))).toBe(true);
    }
  });

  it("reads each PCK leaf's serial and validity as the README lists them", () => {
    for (const { set, leaf } of [...PKI_SETS, S5]) {
      const certificate = parseCertificate(splitPemChain(quotePemChain(set))[0] as Uint8Array);
      expect(certificate.serialHex, set).toBe(leaf.serialHex.toLowerCase());
      expect(certificate.notBefore, set).toBe(unixSeconds(leaf.notBefore));
      expect(certificate.notAfter, set).toBe(unixSeconds(leaf.notAfter));
      expect(certificate.subjectCommonName).toBe("Intel SGX PCK Certificate");
      expect(certificate.issuerCommonName).toBe("Intel SGX PCK Platform CA");
      expect(certificate.extensions.basicConstraints).toEqual({ ca: false, pathLength: undefined });
      expect(certificate.extensions.keyUsage?.digitalSignature).toBe(true);
      expect(certificate.extensions.keyUsage?.keyCertSign).toBe(false);
      expect(certificate.extensions.sgxExtension).toBeDefined();
    }
  });

  it("reads the Intel SGX Root CA facts the README lists", () => {
    const root = parseCertificate(readVectorBytes("intel-root-ca/TrustedRootCA.der"));
    expect(root.serialHex).toBe("22650cd65a9d3489f383b49552bf501b392706ac");
    expect(root.notBefore).toBe(unixSeconds("2018-05-21T10:45:10Z"));
    expect(root.notAfter).toBe(unixSeconds("2049-12-31T23:59:59Z"));
    expect(toHex(root.publicKey)).toBe(
      "040ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a36e705525f567918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394",
    );
    expect(toHex(createHash("sha256").update(root.subjectPublicKeyInfo).digest())).toBe(
      "a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e",
    );
    expect(root.extensions.basicConstraints).toEqual({ ca: true, pathLength: 1 });
    expect(root.extensions.keyUsage?.keyCertSign).toBe(true);
    expect(root.extensions.keyUsage?.cRLSign).toBe(true);
    expect(root.issuer).toEqual(root.subject);
    expect(root.subjectCommonName).toBe("Intel SGX Root CA");
    expect(unknownCriticalExtensions(root)).toEqual([]);
  });

  it("reads the PCK Platform CA as a CA with path length 0 and TCB Signing as a non-CA", () => {
    const platform = parseCertificate(readVectorBytes("automata/platform.der"));
    expect(platform.extensions.basicConstraints).toEqual({ ca: true, pathLength: 0 });
    expect(platform.extensions.sgxExtension).toBeUndefined();
    const signing = parseCertificate(readVectorBytes("automata/signing.der"));
    expect(signing.subjectCommonName).toBe("Intel SGX TCB Signing");
    expect(signing.extensions.basicConstraints?.ca).toBe(false);
    expect(signing.notBefore).toBe(unixSeconds("2025-05-06T09:25:00Z"));
  });

  it("keeps issuer names byte-identical to the issuing certificate's subject", () => {
    const [leaf, platform, root] = splitPemChain(quotePemChain("S1")).map(parseCertificate);
    expect(leaf?.issuer).toEqual(platform?.subject);
    expect(platform?.issuer).toEqual(root?.subject);
  });
});

describe("parseCertificate refusals", () => {
  const platform = readVectorBytes("automata/platform.der");

  it("refuses trailing bytes after the certificate", () => {
    expectCode(() => parseCertificate(Uint8Array.from([...platform, 0])), "CERT_MALFORMED");
  });

  /** Offset of the last byte of the n-th occurrence (0 = first, -1 = last) of `pattern` in `der`. */
  function lastByteOf(der: Uint8Array, pattern: string, which: 0 | -1): number {
    const hex = toHex(der);
    const index = which === 0 ? hex.indexOf(pattern) : hex.lastIndexOf(pattern);
    expect(index % 2).toBe(0);
    return index / 2 + pattern.length / 2 - 1;
  }

  it("refuses an outer signature algorithm other than ecdsa-with-SHA256", () => {
    const mutated = platform.slice();
    mutated[lastByteOf(mutated, "2a8648ce3d040302", -1)] = 0x03; // …4.3.2 → …4.3.3 (SHA-384)
    expectCode(() => parseCertificate(mutated), "CERT_MALFORMED");
  });

  it("refuses a tbsCertificate signature algorithm other than ecdsa-with-SHA256", () => {
    const mutated = platform.slice();
    mutated[lastByteOf(mutated, "2a8648ce3d040302", 0)] = 0x03;
    expectCode(() => parseCertificate(mutated), "CERT_MALFORMED");
  });

  it("refuses AlgorithmIdentifier parameters (RFC 5758: absent for ECDSA)", () => {
    const reader = new DerReader(platform, "CERT_MALFORMED").sequence("certificate");
    const tbs = reader.next("tbs").encoded;
    reader.next("algorithm");
    const signature = reader.next("signature").encoded;
    const withNull = seq(oid("1.2.840.10045.4.3.2"), Uint8Array.of(0x05, 0x00));
    expectCode(() => parseCertificate(seq(tbs, withNull, signature)), "CERT_MALFORMED");
    // Control: the same pieces with the absent-parameter identifier rebuild the original bytes.
    expect(parseCertificate(seq(tbs, ECDSA_SHA256, signature)).der).toEqual(platform);
  });

  it("refuses a non-P-256 key", () => {
    const mutated = platform.slice();
    mutated[lastByteOf(mutated, "2a8648ce3d030107", 0)] = 0x08; // prime256v1 → …3.1.8
    expectCode(() => parseCertificate(mutated), "CERT_MALFORMED");
  });

  it("refuses a duplicated extension", () => {
    const key = newKey();
    const der = makeCertificate({
      serial: 7, issuer: "A", subject: "B", notBefore: T0, notAfter: T1, subjectKey: key, issuerKey: key,
      extraExtensions: [extension("2.5.29.14", Uint8Array.of(4, 1, 1)), extension("2.5.29.14", Uint8Array.of(4, 1, 2))],
    });
    expectCode(() => parseCertificate(der), "CERT_MALFORMED");
  });

  it("reports critical extensions it does not understand, for the chain to refuse", () => {
    const key = newKey();
    const der = makeCertificate({
      serial: 7, issuer: "A", subject: "B", notBefore: NOW - 1, notAfter: T1, subjectKey: key, issuerKey: key,
      ca: { pathLength: 0 }, extraExtensions: [extension("1.2.3.4", Uint8Array.of(5, 0), true)],
    });
    expect(unknownCriticalExtensions(parseCertificate(der))).toEqual(["1.2.3.4"]);
  });

  it("refuses input that is not a Uint8Array", () => {
    expectCode(() => parseCertificate("MIIC" as unknown as Uint8Array), "CERT_MALFORMED");
  });

  it("throws only AttestationError(CERT_MALFORMED) on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        expectCode(() => parseCertificate(data), "CERT_MALFORMED");
      }),
      { numRuns: 500 },
    );
  });

  it("throws only AttestationError on truncated and mutated real certificates", () => {
    const leaf = splitPemChain(quotePemChain("S3"))[0] as Uint8Array;
    fc.assert(
      fc.property(
        fc.constantFrom(leaf, platform),
        fc.nat(1300),
        fc.nat(1300),
        fc.integer({ min: 1, max: 255 }),
        (source, cut, at, xor) => {
          const mutated = source.slice(0, cut % (source.length + 1));
          if (at < mutated.length) mutated[at] = (mutated[at] as number) ^ xor;
          try {
            parseCertificate(mutated);
          } catch (error) {
            expect(error).toBeInstanceOf(AttestationError);
            expect((error as AttestationError).code).toBe("CERT_MALFORMED");
          }
        },
      ),
      { numRuns: 600 },
    );
  });
});

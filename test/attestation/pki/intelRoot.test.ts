import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../core/bytes";
import { INTEL_SGX_ROOT_CA_DER_SHA256, loadIntelSgxRootCa } from "../../../core/attestation/pki/intelRoot";
import { parseCertificate } from "../../../core/attestation/pki/x509";
import { intelRootDer, readVectorBytes } from "../../helpers/pkiVectors";

describe("the pinned Intel SGX Root CA", () => {
  it("is pinned to the SHA-256 the vectors README gives", () => {
    expect(INTEL_SGX_ROOT_CA_DER_SHA256).toBe("44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3");
  });

  it("embeds bytes whose SHA-256 is the pinned value", () => {
    expect(toHex(createHash("sha256").update(loadIntelSgxRootCa()).digest())).toBe(INTEL_SGX_ROOT_CA_DER_SHA256);
  });

  it("embeds exactly the vector file TrustedRootCA.der (and automata's root.der)", () => {
    expect(loadIntelSgxRootCa()).toEqual(intelRootDer());
    expect(loadIntelSgxRootCa()).toEqual(readVectorBytes("automata/root.der"));
  });

  it("hands out a fresh copy each time, so a caller cannot alter the anchor", () => {
    const first = loadIntelSgxRootCa();
    first[10] = (first[10] as number) ^ 0xff;
    expect(loadIntelSgxRootCa()).toEqual(intelRootDer());
  });

  it("parses as the self-issued Intel SGX Root CA", () => {
    const root = parseCertificate(loadIntelSgxRootCa());
    expect(root.subjectCommonName).toBe("Intel SGX Root CA");
    expect(root.issuer).toEqual(root.subject);
  });
});

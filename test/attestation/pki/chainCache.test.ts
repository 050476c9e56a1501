import { describe, expect, it } from "vitest";
import { AttestationError } from "../../../core/attestation/errors";
import { ChainCache, type VerifyChainBytesParameters, verifyCertificateChainBytes } from "../../../core/attestation/pki/chainCache";
import { loadIntelSgxRootCa } from "../../../core/attestation/pki/intelRoot";
import { splitPemChain } from "../../../core/attestation/pki/pem";
import { PKI_SETS, type PkiSet, hexBytes, loadCollateral, quotePemChain } from "../../helpers/pkiVectors";

function bytesParameters(set: PkiSet, now = set.now): VerifyChainBytesParameters {
  const collateral = loadCollateral(set.collateral);
  return {
    chain: splitPemChain(quotePemChain(set.set)),
    trustedRoots: [loadIntelSgxRootCa()],
    crls: [hexBytes(collateral.root_ca_crl), hexBytes(collateral.pck_crl)],
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

describe("ChainCache", () => {
  it("returns the same verified chain as the uncached path, then serves repeats from the cache", () => {
    const cache = new ChainCache();
    const parameters = bytesParameters(S1);
    const first = cache.verify(parameters);
    expect(first.leaf.serialHex).toBe(verifyCertificateChainBytes(parameters).leaf.serialHex);
    expect(cache.size).toBe(1);
    // Fresh copies of the same bytes hit the same entry.
    expect(cache.verify(bytesParameters(S1, S1.now - 60))).toBe(first);
    expect(cache.size).toBe(1);
  });

  it("still enforces the validity window on a hit: one second after the PCK CRL's nextUpdate is CRL_EXPIRED", () => {
    const cache = new ChainCache();
    const verified = cache.verify(bytesParameters(S1));
    expect(cache.verify(bytesParameters(S1, verified.validUntil))).toBe(verified);
    expect(codeOf(() => cache.verify(bytesParameters(S1, verified.validUntil + 1)))).toBe("CRL_EXPIRED");
  });

  it("still enforces the start of the window on a hit", () => {
    const cache = new ChainCache();
    const verified = cache.verify(bytesParameters(S1));
    expect(codeOf(() => cache.verify(bytesParameters(S1, verified.validFrom - 1)))).toBe("CRL_NOT_YET_VALID");
    expect(codeOf(() => cache.verify(bytesParameters(S1, Number.NaN)))).toBe("CERT_CHAIN_INVALID");
  });

  it("misses on any changed byte, so a tampered chain is verified and refused", () => {
    const cache = new ChainCache();
    cache.verify(bytesParameters(S1));
    const tampered = bytesParameters(S1);
    const leaf = (tampered.chain[0] as Uint8Array).slice();
    leaf[leaf.length - 1] = (leaf[leaf.length - 1] as number) ^ 0x01;
    expect(codeOf(() => cache.verify({ ...tampered, chain: [leaf, ...tampered.chain.slice(1)] }))).toBe("CERT_SIGNATURE_INVALID");
    expect(codeOf(() => cache.verify({ ...tampered, trustedRoots: [] }))).toBe("CERT_UNTRUSTED_ROOT");
    expect(codeOf(() => cache.verify({ ...tampered, crls: tampered.crls.slice(0, 1) }))).toBe("CERT_CHAIN_INVALID");
    expect(cache.size).toBe(1);
  });

  it("keys CRLs and roots apart from certificates (moving bytes between groups is a different key)", () => {
    const cache = new ChainCache();
    const parameters = bytesParameters(S1);
    cache.verify(parameters);
    const moved = { ...parameters, chain: parameters.chain.slice(0, 2), trustedRoots: [parameters.chain[2] as Uint8Array, ...parameters.trustedRoots] };
    expect(codeOf(() => cache.verify(moved))).toBe("CERT_UNTRUSTED_ROOT");
  });

  it("evicts the least recently used entry beyond maxEntries", () => {
    const cache = new ChainCache({ maxEntries: 2 });
    const [a, b, c] = PKI_SETS.slice(0, 3).map((set) => bytesParameters(set)) as [VerifyChainBytesParameters, VerifyChainBytesParameters, VerifyChainBytesParameters];
    const first = cache.verify(a);
    cache.verify(b);
    expect(cache.verify(a)).toBe(first); // a is now the most recent
    cache.verify(c); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.verify(a)).toBe(first);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(codeOf(() => new ChainCache({ maxEntries: 0 }))).toBe("CERT_CHAIN_INVALID");
  });

  it("makes a repeated verification far cheaper than a full one", () => {
    const cache = new ChainCache();
    const parameters = bytesParameters(S1);
    cache.verify(parameters);
    const rounds = 300;
    let start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) verifyCertificateChainBytes(parameters);
    const fullNs = Number(process.hrtime.bigint() - start) / rounds;
    start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) cache.verify(parameters);
    const cachedNs = Number(process.hrtime.bigint() - start) / rounds;
    // Informational: printed so regressions are visible in CI logs.
    console.info(`chain verify: full ${(fullNs / 1000).toFixed(1)} µs, cached ${(cachedNs / 1000).toFixed(1)} µs`);
    expect(cachedNs * 5).toBeLessThan(fullNs);
  });
});

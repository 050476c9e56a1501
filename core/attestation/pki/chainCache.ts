import { createHash } from "node:crypto";
import { AttestationError } from "../errors";
import { type VerifiedChain, verifyCertificateChain } from "./chain";
import { parseCrl } from "./crl";
import { parseCertificate } from "./x509";

/** The same inputs as `verifyCertificateChain`, as DER bytes (what quotes and collateral carry). */
export interface VerifyChainBytesParameters {
  /** DER certificates, leaf first, ending with the root. */
  chain: readonly Uint8Array[];
  trustedRoots: readonly Uint8Array[];
  /** DER CRLs. */
  crls: readonly Uint8Array[];
  /** Unix seconds. */
  now: number;
}

/** Parses the DER inputs and runs the full chain validation, with no caching. */
export function verifyCertificateChainBytes(parameters: VerifyChainBytesParameters): VerifiedChain {
  return verifyCertificateChain({
    chain: parameters.chain.map(parseCertificate),
    trustedRoots: parameters.trustedRoots,
    crls: parameters.crls.map(parseCrl),
    now: parameters.now,
  });
}

export interface ChainCacheOptions {
  /** Entries kept (least recently used dropped first). Default 256. */
  maxEntries?: number;
}

/**
 * Memoises successful chain validations so that re-verifying the same PCK chain, TCB signing
 * chain and CRLs is a hash and a map lookup instead of parsing and several ECDSA verifications.
 *
 * The key is SHA-256 over the exact bytes of every certificate, CRL and trusted root (each
 * length-prefixed, in order), so any change to any input is a miss. Only successes are
 * stored. Everything the validation checked is independent of time except the validity
 * windows, so a hit is returned only when `now` lies inside the stored intersection
 * [validFrom, validUntil]; otherwise the full validation runs again and throws the exact code
 * (CERT_EXPIRED, CRL_EXPIRED, CERT_NOT_YET_VALID, ...).
 */
export class ChainCache {
  private readonly entries = new Map<string, VerifiedChain>();
  private readonly maxEntries: number;

  constructor(options: ChainCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 256;
    if (!Number.isSafeInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new AttestationError("CERT_CHAIN_INVALID", "ChainCache maxEntries must be a positive integer");
    }
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  verify(parameters: VerifyChainBytesParameters): VerifiedChain {
    const key = cacheKey(parameters);
    const cached = this.entries.get(key);
    if (cached && parameters.now >= cached.validFrom && parameters.now <= cached.validUntil) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const verified = verifyCertificateChainBytes(parameters);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, verified);
    return verified;
  }
}

function cacheKey(parameters: VerifyChainBytesParameters): string {
  const hash = createHash("sha256");
  const length = Buffer.alloc(4);
  for (const group of [parameters.chain, parameters.crls, parameters.trustedRoots]) {
    length.writeUInt32BE(group.length);
    hash.update(length);
    for (const item of group) {
      length.writeUInt32BE(item.length);
      hash.update(length);
      hash.update(item);
    }
  }
  return hash.digest("base64");
}

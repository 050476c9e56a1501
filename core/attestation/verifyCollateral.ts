import { utf8 } from "../bytes";
import type { Collateral } from "./collateral";
import { checkCollateralTimes } from "./collateral/validity";
import { AttestationError } from "./errors";
import { ChainCache, parseCrl, splitPemChain, verifyP256, type Certificate, type Crl, type VerifiedChain } from "./pki";

/**
 * Collateral integrity, independent of any quote: the TCB Info and QE Identity signing
 * chains to a trusted root (with the root CA CRL), their signatures over the exact signed
 * JSON bytes, both CRLs parsed, and every validity window at `now`.
 *
 * Signatures and chains are verified once per collateral object and set of trusted roots
 * (memoised in a WeakMap; treat both as read-only). The collateral windows and both signing
 * chains' own windows (certificates and root CA CRL) are checked on every call, so a cached
 * collateral still expires on time; outside a chain's window the chain is validated again so
 * the refusal carries its exact code (CERT_EXPIRED, CRL_EXPIRED, ...).
 */
export interface VerifiedCollateral {
  collateral: Collateral;
  rootCaCrl: Crl;
  pckCrl: Crl;
  tcbSigningCert: Certificate;
  /** The TCB Info and QE Identity signing chains as validated (their windows are re-checked per call). */
  tcbInfoChain: VerifiedChain;
  qeIdentityChain: VerifiedChain;
  /** Earliest nextUpdate of TCB Info, QE Identity and both CRLs (unix seconds). */
  nextUpdate: number;
  /** Latest issueDate / thisUpdate (unix seconds). */
  validFrom: number;
}

export interface VerifyCollateralParameters {
  collateral: Collateral;
  trustedRoots: readonly Uint8Array[];
  now: number;
  chainCache: ChainCache;
}

const signatureMemo = new WeakMap<Collateral, WeakMap<readonly Uint8Array[], VerifiedCollateral>>();

export function verifyCollateral(parameters: VerifyCollateralParameters): VerifiedCollateral {
  const { collateral, trustedRoots, now, chainCache } = parameters;
  let byRoots = signatureMemo.get(collateral);
  let verified = byRoots?.get(trustedRoots);
  if (!verified) {
    verified = verifySignatures(collateral, trustedRoots, now, chainCache);
    if (!byRoots) {
      byRoots = new WeakMap();
      signatureMemo.set(collateral, byRoots);
    }
    byRoots.set(trustedRoots, verified);
  }
  checkWindows(verified, now);
  // The signing chains have their own windows (certificate and root CA CRL validity).
  recheckChainWindow(verified.tcbInfoChain, collateral.tcbInfoIssuerChainPem, parameters);
  recheckChainWindow(verified.qeIdentityChain, collateral.qeIdentityIssuerChainPem, parameters);
  return verified;
}

/** Inside the validated window nothing time-dependent changed; outside it, validate again (throws the exact code). */
function recheckChainWindow(verified: VerifiedChain, pem: string, parameters: VerifyCollateralParameters): void {
  const { collateral, trustedRoots, now, chainCache } = parameters;
  if (now >= verified.validFrom && now <= verified.validUntil) return;
  chainCache.verify({ chain: splitPemChain(pem), trustedRoots, crls: [collateral.rootCaCrlDer], now });
}

function verifySignatures(collateral: Collateral, trustedRoots: readonly Uint8Array[], now: number, chainCache: ChainCache): VerifiedCollateral {
  const rootCaCrl = parseCollateralCrl(collateral.rootCaCrlDer, "root CA CRL");
  const pckCrl = parseCollateralCrl(collateral.pckCrlDer, "PCK CRL");
  const window = windowOf(collateral, rootCaCrl, pckCrl);
  // Check the windows before any chain work, so expired collateral always says so.
  checkWindows({ nextUpdate: window.nextUpdate, validFrom: window.validFrom }, now);

  const tcbChain = chainCache.verify({
    chain: splitPemChain(collateral.tcbInfoIssuerChainPem),
    trustedRoots,
    crls: [collateral.rootCaCrlDer],
    now,
  });
  if (!verifyP256(tcbChain.leaf.publicKey, utf8(collateral.tcbInfoText), collateral.tcbInfoSignature, "ieee-p1363")) {
    throw new AttestationError("TCB_INFO_SIGNATURE_INVALID", "TCB Info signature does not verify with the TCB signing key");
  }
  const qeChain = chainCache.verify({
    chain: splitPemChain(collateral.qeIdentityIssuerChainPem),
    trustedRoots,
    crls: [collateral.rootCaCrlDer],
    now,
  });
  if (!verifyP256(qeChain.leaf.publicKey, utf8(collateral.qeIdentityText), collateral.qeIdentitySignature, "ieee-p1363")) {
    throw new AttestationError("QE_IDENTITY_SIGNATURE_INVALID", "QE Identity signature does not verify with the TCB signing key");
  }
  return { collateral, rootCaCrl, pckCrl, tcbSigningCert: tcbChain.leaf, tcbInfoChain: tcbChain, qeIdentityChain: qeChain, ...window };
}

function parseCollateralCrl(der: Uint8Array, name: string): Crl {
  try {
    return parseCrl(der);
  } catch (error) {
    if (error instanceof AttestationError) {
      throw new AttestationError(error.code, `${name}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function windowOf(collateral: Collateral, rootCaCrl: Crl, pckCrl: Crl): { nextUpdate: number; validFrom: number } {
  return {
    nextUpdate: Math.min(
      collateral.tcbInfo.nextUpdate,
      collateral.qeIdentity.nextUpdate,
      rootCaCrl.nextUpdate,
      pckCrl.nextUpdate,
    ),
    validFrom: Math.max(
      collateral.tcbInfo.issueDate,
      collateral.qeIdentity.issueDate,
      rootCaCrl.thisUpdate,
      pckCrl.thisUpdate,
    ),
  };
}

/** Past the earliest nextUpdate of any piece: COLLATERAL_EXPIRED (CRLs are collateral too). */
function checkWindows(window: { nextUpdate: number; validFrom: number }, now: number): void {
  if (now > window.nextUpdate) {
    throw new AttestationError(
      "COLLATERAL_EXPIRED",
      `collateral expired at ${new Date(window.nextUpdate * 1000).toISOString()} (now ${new Date(now * 1000).toISOString()})`,
    );
  }
  if (now < window.validFrom) {
    throw new AttestationError(
      "COLLATERAL_NOT_YET_VALID",
      `collateral is not valid before ${new Date(window.validFrom * 1000).toISOString()}`,
    );
  }
}

/** For callers that only need the TCB Info / QE Identity windows (e.g. a cache). */
export { checkCollateralTimes };

import { bytesEqual } from "../../bytes";
import { AttestationError } from "../errors";
import { type Crl, isRevoked, verifyCrl } from "./crl";
import { verifyP256 } from "./p256";
import { type Certificate, unknownCriticalExtensions } from "./x509";

/**
 * Certificate path validation for Intel's two-level PKI (RFC 5280 §6, narrowed):
 *
 *   PCK leaf  ← Intel SGX PCK Platform/Processor CA ← Intel SGX Root CA (pinned)
 *   TCB Signing                                      ← Intel SGX Root CA (pinned)
 *
 * Checks, in order, each with its own code:
 *  1. the chain ends at a certificate byte-identical to a trusted root (CERT_UNTRUSTED_ROOT);
 *  2. every certificate has only critical extensions we understand (CERT_CHAIN_INVALID);
 *  3. for each link, the issuer name equals the next certificate's subject, the next
 *     certificate is a CA allowed to sign certificates within its path length
 *     (CERT_CHAIN_INVALID), and the signature verifies with its key (CERT_SIGNATURE_INVALID);
 *  4. every certificate, root included, is valid at `now` (CERT_NOT_YET_VALID / CERT_EXPIRED);
 *  5. every CRL supplied was issued by a CA in this chain and verifies against it
 *     (see `verifyCrl`: CRL_ISSUER_MISMATCH, CRL_SIGNATURE_INVALID, CRL_NOT_YET_VALID, CRL_EXPIRED);
 *  6. CRL coverage: every certificate below the root must be covered by at least one CRL from
 *     its own issuer — the Root CA CRL covers the PCK Platform CA and the TCB Signing cert, the
 *     PCK CA CRL covers the PCK leaf. Missing coverage is CERT_CHAIN_INVALID (revocation status
 *     unknown is a refusal, as webpki's UnknownStatusPolicy::Deny). A listed serial is
 *     CERT_REVOKED.
 * A CRL whose issuer is not in the chain is refused (CRL_ISSUER_MISMATCH) rather than
 * ignored: handing the wrong CRL to a chain is a collateral mix-up we want to see.
 */
export interface VerifyCertificateChainParameters {
  /** Leaf first, ending with the root. */
  chain: readonly Certificate[];
  /** DER of every trusted root (sealed: only Intel's). */
  trustedRoots: readonly Uint8Array[];
  crls: readonly Crl[];
  /** Unix seconds. */
  now: number;
}

export interface VerifiedChain {
  leaf: Certificate;
  /** Leaf first, ending with the root. */
  chain: readonly Certificate[];
  root: Certificate;
  crls: readonly Crl[];
  /** max(notBefore, thisUpdate) over every certificate and CRL: the chain is valid from here… */
  validFrom: number;
  /** …to min(notAfter, nextUpdate), both inclusive. */
  validUntil: number;
}

/** Intel chains have 2 or 3 certificates; a short cap bounds signature work on hostile input. */
const MAX_CHAIN_LENGTH = 5;

export function verifyCertificateChain(parameters: VerifyCertificateChainParameters): VerifiedChain {
  const { chain, trustedRoots, crls, now } = parameters;
  if (!Number.isFinite(now)) fail("CERT_CHAIN_INVALID", "now must be a finite number of unix seconds");
  if (chain.length < 2) fail("CERT_CHAIN_INVALID", "a chain needs at least a leaf and a root");
  if (chain.length > MAX_CHAIN_LENGTH) fail("CERT_CHAIN_INVALID", `chain longer than ${MAX_CHAIN_LENGTH}`);
  const root = chain[chain.length - 1] as Certificate;
  if (!trustedRoots.some((trusted) => bytesEqual(trusted, root.der))) {
    fail("CERT_UNTRUSTED_ROOT", `chain ends at "${label(root)}", which is not a trusted root`);
  }

  for (const certificate of chain) {
    const unknown = unknownCriticalExtensions(certificate);
    if (unknown.length > 0) {
      fail("CERT_CHAIN_INVALID", `"${label(certificate)}" has unsupported critical extensions ${unknown.join(", ")}`);
    }
  }
  for (let index = 0; index < chain.length - 1; index++) {
    verifyLink(chain[index] as Certificate, chain[index + 1] as Certificate, index);
  }
  for (const certificate of chain) checkValidity(certificate, now);

  for (const crl of crls) {
    const issuer = chain.find((certificate) => bytesEqual(certificate.subject, crl.issuer));
    if (!issuer) {
      fail("CRL_ISSUER_MISMATCH", `CRL issuer "${crl.issuerCommonName ?? "(no CN)"}" is not a CA in this chain`);
    }
    verifyCrl(crl, issuer, now);
  }
  for (let index = 0; index < chain.length - 1; index++) checkRevocation(chain[index] as Certificate, crls);

  return { leaf: chain[0] as Certificate, chain, root, crls, ...validityWindow(chain, crls) };
}

/** `child` was issued by `issuer`, which sits `intermediatesBelow` CAs above the leaf's issuer. */
function verifyLink(child: Certificate, issuer: Certificate, intermediatesBelow: number): void {
  if (!bytesEqual(child.issuer, issuer.subject)) {
    fail("CERT_CHAIN_INVALID", `"${label(child)}" is issued by "${child.issuerCommonName}", not "${label(issuer)}"`);
  }
  const { basicConstraints, keyUsage } = issuer.extensions;
  if (!basicConstraints?.ca) fail("CERT_CHAIN_INVALID", `"${label(issuer)}" is not a CA`);
  if (keyUsage !== undefined && !keyUsage.keyCertSign) {
    fail("CERT_CHAIN_INVALID", `"${label(issuer)}" may not sign certificates`);
  }
  if (basicConstraints.pathLength !== undefined && intermediatesBelow > basicConstraints.pathLength) {
    fail("CERT_CHAIN_INVALID", `"${label(issuer)}" path length ${basicConstraints.pathLength} exceeded`);
  }
  if (!verifyP256(issuer.publicKey, child.tbs, child.signature, "der")) {
    fail("CERT_SIGNATURE_INVALID", `signature on "${label(child)}" by "${label(issuer)}" does not verify`);
  }
}

function checkValidity(certificate: Certificate, now: number): void {
  if (now < certificate.notBefore) {
    fail("CERT_NOT_YET_VALID", `"${label(certificate)}" is valid from ${iso(certificate.notBefore)}`);
  }
  if (now > certificate.notAfter) {
    fail("CERT_EXPIRED", `"${label(certificate)}" expired at ${iso(certificate.notAfter)}`);
  }
}

/** Every CRL here has already been verified against the chain. */
function checkRevocation(certificate: Certificate, crls: readonly Crl[]): void {
  const fromIssuer = crls.filter((crl) => bytesEqual(crl.issuer, certificate.issuer));
  if (fromIssuer.length === 0) {
    fail("CERT_CHAIN_INVALID", `no CRL from "${certificate.issuerCommonName}" covers "${label(certificate)}"`);
  }
  if (fromIssuer.some((crl) => isRevoked(crl, certificate))) {
    fail("CERT_REVOKED", `"${label(certificate)}" serial ${certificate.serialHex} is revoked`);
  }
}

function validityWindow(chain: readonly Certificate[], crls: readonly Crl[]): { validFrom: number; validUntil: number } {
  let validFrom = -Infinity;
  let validUntil = Infinity;
  for (const certificate of chain) {
    validFrom = Math.max(validFrom, certificate.notBefore);
    validUntil = Math.min(validUntil, certificate.notAfter);
  }
  for (const crl of crls) {
    validFrom = Math.max(validFrom, crl.thisUpdate);
    validUntil = Math.min(validUntil, crl.nextUpdate);
  }
  return { validFrom, validUntil };
}

function label(certificate: Certificate): string {
  return certificate.subjectCommonName ?? `serial ${certificate.serialHex}`;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function fail(code: ConstructorParameters<typeof AttestationError>[0], message: string): never {
  throw new AttestationError(code, message);
}

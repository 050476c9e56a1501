import { bytesEqual } from "../../bytes";
import { AttestationError } from "../errors";
import { readEcdsaSha256Algorithm, readEcdsaSignatureValue } from "./algorithms";
import { DER_TAG, DerReader, contextTag } from "./der";
import {
  type Extension,
  OID_AUTHORITY_KEY_IDENTIFIER,
  OID_CRL_NUMBER,
  OID_CRL_REASON,
  readExtensions,
} from "./extensions";
import { readName } from "./name";
import { verifyP256 } from "./p256";
import { serialToHex } from "./serial";
import type { Certificate } from "./x509";

/**
 * An X.509 v2 CRL (RFC 5280 §5) as Intel PCS serves them: the Root CA CRL and the PCK
 * Platform/Processor CA CRLs. Treat the object as read-only; caches share it.
 */
export interface Crl {
  der: Uint8Array;
  /** The exact tbsCertList bytes the issuer signed. */
  tbs: Uint8Array;
  /** Issuer Name DER, compared byte for byte with the issuing certificate's subject. */
  issuer: Uint8Array;
  issuerCommonName: string | undefined;
  /** Unix seconds. */
  thisUpdate: number;
  /** Unix seconds. Required here: a CRL without nextUpdate has no validity window. */
  nextUpdate: number;
  /** Revoked serial numbers, lowercase hex as `Certificate.serialHex` writes them. */
  revokedSerials: ReadonlySet<string>;
  signatureAlgorithm: string;
  /** DER Ecdsa-Sig-Value. */
  signature: Uint8Array;
  extensions: Extension[];
  /**
   * Critical CRL or entry extensions we do not process (issuingDistributionPoint, delta CRL
   * indicator, certificateIssuer, ...). RFC 5280 §5.2/§5.3: such a CRL must not be used.
   */
  unknownCriticalExtensions: string[];
}

const CODE = "CRL_MALFORMED" as const;
const UNDERSTOOD_CRL_EXTENSIONS = new Set([OID_CRL_NUMBER, OID_AUTHORITY_KEY_IDENTIFIER]);
const UNDERSTOOD_ENTRY_EXTENSIONS = new Set([OID_CRL_REASON]);

export function parseCrl(der: Uint8Array): Crl {
  if (!(der instanceof Uint8Array)) throw new AttestationError(CODE, "CRL must be bytes");
  const top = new DerReader(der, CODE);
  const certList = top.sequence("CRL");
  top.end("CRL");
  const tbsElement = certList.expect(DER_TAG.SEQUENCE, "tbsCertList");
  const outerAlgorithm = readEcdsaSha256Algorithm(certList, "signatureAlgorithm");
  const signature = readEcdsaSignatureValue(certList, "signatureValue");
  certList.end("CRL");

  const tbs = new DerReader(tbsElement.value, CODE);
  // v2 (value 1) is required: Intel CRLs carry extensions, which v1 does not allow.
  if (tbs.smallInteger("version", 1) !== 1) tbs.fail("only v2 CRLs are accepted");
  const innerAlgorithm = readEcdsaSha256Algorithm(tbs, "tbsCertList signature");
  if (!bytesEqual(innerAlgorithm.encoded, outerAlgorithm.encoded)) {
    tbs.fail("signature algorithm inside and outside tbsCertList differ");
  }
  const issuer = readName(tbs, "issuer");
  const thisUpdate = tbs.time("thisUpdate");
  const nextTag = tbs.peekTag();
  if (nextTag !== DER_TAG.UTC_TIME && nextTag !== DER_TAG.GENERALIZED_TIME) tbs.fail("nextUpdate is required");
  const nextUpdate = tbs.time("nextUpdate");
  const unknownCritical: string[] = [];
  const revokedSerials = new Set<string>();
  if (tbs.peekTag() === DER_TAG.SEQUENCE) {
    readRevoked(tbs.sequence("revokedCertificates"), revokedSerials, unknownCritical);
  }
  let extensions: Extension[] = [];
  const extensionsBlock = tbs.optional(contextTag(0, true), "crlExtensions");
  if (extensionsBlock) {
    const block = new DerReader(extensionsBlock.value, CODE);
    extensions = readExtensions(block, "crlExtensions");
    block.end("crlExtensions");
  }
  tbs.end("tbsCertList");
  for (const extension of extensions) {
    if (extension.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(extension.oid)) unknownCritical.push(extension.oid);
  }

  return {
    der,
    tbs: tbsElement.encoded,
    issuer: issuer.encoded,
    issuerCommonName: issuer.commonName,
    thisUpdate,
    nextUpdate,
    revokedSerials,
    signatureAlgorithm: outerAlgorithm.oid,
    signature,
    extensions,
    unknownCriticalExtensions: unknownCritical,
  };
}

/** revokedCertificates ::= SEQUENCE OF SEQUENCE { userCertificate, revocationDate, crlEntryExtensions OPTIONAL } */
function readRevoked(list: DerReader, serials: Set<string>, unknownCritical: string[]): void {
  while (!list.done) {
    const entry = list.sequence("revoked entry");
    serials.add(serialToHex(entry.integerBytes("revoked serial")));
    entry.time("revocationDate");
    if (!entry.done) {
      for (const extension of readExtensions(entry, "crlEntryExtensions")) {
        if (extension.critical && !UNDERSTOOD_ENTRY_EXTENSIONS.has(extension.oid)) unknownCritical.push(extension.oid);
      }
    }
    entry.end("revoked entry");
  }
}

/**
 * Checks that `crl` may be used at `now`, in this order:
 * the CRL issuer name equals the issuer certificate's subject (CRL_ISSUER_MISMATCH), the
 * issuer may sign CRLs (CRL_ISSUER_MISMATCH), it has no critical extension we would ignore
 * (CRL_MALFORMED), its signature verifies with the issuer key (CRL_SIGNATURE_INVALID), and
 * thisUpdate <= now <= nextUpdate (CRL_NOT_YET_VALID / CRL_EXPIRED).
 */
export function verifyCrl(crl: Crl, issuerCertificate: Certificate, now: number): void {
  const issuerName = crl.issuerCommonName ?? "(no CN)";
  if (!bytesEqual(crl.issuer, issuerCertificate.subject)) {
    throw new AttestationError(
      "CRL_ISSUER_MISMATCH",
      `CRL issuer "${issuerName}" is not "${issuerCertificate.subjectCommonName ?? "(no CN)"}"`,
    );
  }
  const { basicConstraints, keyUsage } = issuerCertificate.extensions;
  if (!basicConstraints?.ca || (keyUsage !== undefined && !keyUsage.cRLSign)) {
    throw new AttestationError("CRL_ISSUER_MISMATCH", `"${issuerName}" is not a CA allowed to sign CRLs`);
  }
  if (crl.unknownCriticalExtensions.length > 0) {
    throw new AttestationError(
      "CRL_MALFORMED",
      `CRL from "${issuerName}" has unsupported critical extensions ${crl.unknownCriticalExtensions.join(", ")}`,
    );
  }
  if (!verifyP256(issuerCertificate.publicKey, crl.tbs, crl.signature, "der")) {
    throw new AttestationError("CRL_SIGNATURE_INVALID", `CRL signature by "${issuerName}" does not verify`);
  }
  if (now < crl.thisUpdate) {
    throw new AttestationError("CRL_NOT_YET_VALID", `CRL from "${issuerName}" is valid from ${iso(crl.thisUpdate)}`);
  }
  if (now > crl.nextUpdate) {
    throw new AttestationError("CRL_EXPIRED", `CRL from "${issuerName}" expired at ${iso(crl.nextUpdate)}`);
  }
}

/** True when the CRL lists this certificate's serial. The caller matches issuers first. */
export function isRevoked(crl: Crl, certificate: Certificate): boolean {
  return crl.revokedSerials.has(certificate.serialHex);
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

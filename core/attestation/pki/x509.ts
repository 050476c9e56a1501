import { bytesEqual } from "../../bytes";
import { AttestationError } from "../errors";
import { readEcdsaSha256Algorithm, readEcdsaSignatureValue, readP256SubjectPublicKeyInfo } from "./algorithms";
import { DER_TAG, DerReader, contextTag } from "./der";
import {
  type BasicConstraints,
  type Extension,
  type KeyUsage,
  OID_BASIC_CONSTRAINTS,
  OID_KEY_USAGE,
  OID_SGX_EXTENSION,
  parseBasicConstraints,
  parseKeyUsage,
  readExtensions,
} from "./extensions";
import { readName } from "./name";
import { serialToHex } from "./serial";

/**
 * An X.509 v3 certificate (RFC 5280 §4.1) as Intel's SGX/TDX PKI issues them: ECDSA P-256
 * keys and ecdsa-with-SHA256 signatures only. Parsing checks structure, not trust: see
 * `verifyCertificateChain` for that. Treat the object as read-only; caches share it.
 */
export interface Certificate {
  /** The whole certificate DER (compared byte for byte against pinned roots). */
  der: Uint8Array;
  /** The exact tbsCertificate bytes the issuer signed. */
  tbs: Uint8Array;
  /** Serial number contents as lowercase hex, without a DER sign byte. */
  serialHex: string;
  /** Issuer Name DER, compared byte for byte with the issuing certificate's subject. */
  issuer: Uint8Array;
  issuerCommonName: string | undefined;
  subject: Uint8Array;
  subjectCommonName: string | undefined;
  /** Unix seconds. */
  notBefore: number;
  notAfter: number;
  /** The SubjectPublicKeyInfo DER. */
  subjectPublicKeyInfo: Uint8Array;
  /** 65 bytes: 0x04 ‖ x ‖ y (P-256). */
  publicKey: Uint8Array;
  /** Always "1.2.840.10045.4.3.2" (ecdsa-with-SHA256); others are refused at parse time. */
  signatureAlgorithm: string;
  /** DER Ecdsa-Sig-Value. */
  signature: Uint8Array;
  extensions: CertificateExtensions;
}

export interface CertificateExtensions {
  basicConstraints: BasicConstraints | undefined;
  keyUsage: KeyUsage | undefined;
  /** The Intel SGX extension (1.2.840.113741.1.13.1) DER, present on PCK leaves. */
  sgxExtension: Uint8Array | undefined;
  /** Every extension, in order, including the ones above. */
  all: Extension[];
}

const OUR_CODE = "CERT_MALFORMED" as const;

export function parseCertificate(der: Uint8Array): Certificate {
  if (!(der instanceof Uint8Array)) throw new AttestationError(OUR_CODE, "certificate must be bytes");
  const top = new DerReader(der, OUR_CODE);
  const certificate = top.sequence("certificate");
  top.end("certificate");

  const tbsElement = certificate.expect(DER_TAG.SEQUENCE, "tbsCertificate");
  const outerAlgorithm = readEcdsaSha256Algorithm(certificate, "signatureAlgorithm");
  const signature = readEcdsaSignatureValue(certificate, "signatureValue");
  certificate.end("certificate");

  const tbs = new DerReader(tbsElement.value, OUR_CODE);
  const version = tbs.enter(contextTag(0, true), "version");
  // Only v3 (value 2): chain validation depends on basicConstraints and keyUsage.
  if (version.smallInteger("version", 2) !== 2) tbs.fail("only X.509 v3 certificates are accepted");
  version.end("version");
  const serial = tbs.integerBytes("serialNumber");
  const innerAlgorithm = readEcdsaSha256Algorithm(tbs, "tbsCertificate signature");
  if (!bytesEqual(innerAlgorithm.encoded, outerAlgorithm.encoded)) {
    tbs.fail("signature algorithm inside and outside tbsCertificate differ");
  }
  const issuer = readName(tbs, "issuer");
  const validity = tbs.sequence("validity");
  const notBefore = validity.time("notBefore");
  const notAfter = validity.time("notAfter");
  validity.end("validity");
  const subject = readName(tbs, "subject");
  const { spki, publicKey } = readP256SubjectPublicKeyInfo(tbs, "subjectPublicKeyInfo");
  tbs.optional(contextTag(1, false), "issuerUniqueID");
  tbs.optional(contextTag(2, false), "subjectUniqueID");
  const extensionsBlock = tbs.optional(contextTag(3, true), "extensions");
  tbs.end("tbsCertificate");

  let all: Extension[] = [];
  if (extensionsBlock) {
    const block = new DerReader(extensionsBlock.value, OUR_CODE);
    all = readExtensions(block, "extensions");
    block.end("extensions");
  }

  return {
    der,
    tbs: tbsElement.encoded,
    serialHex: serialToHex(serial),
    issuer: issuer.encoded,
    issuerCommonName: issuer.commonName,
    subject: subject.encoded,
    subjectCommonName: subject.commonName,
    notBefore,
    notAfter,
    subjectPublicKeyInfo: spki,
    publicKey,
    signatureAlgorithm: outerAlgorithm.oid,
    signature,
    extensions: interpretExtensions(all, tbs),
  };
}

function interpretExtensions(all: Extension[], reader: DerReader): CertificateExtensions {
  const find = (oid: string): Extension | undefined => all.find((extension) => extension.oid === oid);
  const basicConstraints = find(OID_BASIC_CONSTRAINTS);
  const keyUsage = find(OID_KEY_USAGE);
  return {
    basicConstraints: basicConstraints ? parseBasicConstraints(basicConstraints.value, reader) : undefined,
    keyUsage: keyUsage ? parseKeyUsage(keyUsage.value, reader) : undefined,
    sgxExtension: find(OID_SGX_EXTENSION)?.value,
    all,
  };
}

/** Extensions a verifier must understand when they are critical (RFC 5280 §4.2). */
const UNDERSTOOD_CRITICAL = new Set([OID_BASIC_CONSTRAINTS, OID_KEY_USAGE]);

/** Critical extensions we do not process; a certificate carrying one must be refused. */
export function unknownCriticalExtensions(certificate: Certificate): string[] {
  return certificate.extensions.all
    .filter((extension) => extension.critical && !UNDERSTOOD_CRITICAL.has(extension.oid))
    .map((extension) => extension.oid);
}

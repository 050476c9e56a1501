import {
  derBitString,
  derBoolean,
  derExplicit,
  derIa5String,
  derImplicit,
  derInteger,
  derOctetString,
  derOid,
  derPrintableString,
  derSequence,
  derSet,
  derTime,
  derUtf8String,
} from "./der";
import { type DevKeyPair, signDer, subjectKeyIdentifier } from "./keys";

/**
 * X.509 v3 certificates in the shape Intel's SGX PKI uses (see the certificates in
 * ../shared/tdx-vectors/automata/*.der): ecdsa-with-SHA256, a five-part name
 * (CN, O, L, ST as UTF8String; C as PrintableString), and the extensions in Intel's order:
 * AKI, CRL Distribution Points, SKI, Key Usage (critical), Basic Constraints (critical),
 * then, on a PCK leaf, the SGX extension.
 */

export const OID_ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const OID_PRIME256V1 = "1.2.840.10045.3.1.7";
const OID_COMMON_NAME = "2.5.4.3";
const OID_COUNTRY = "2.5.4.6";
const OID_LOCALITY = "2.5.4.7";
const OID_STATE = "2.5.4.8";
const OID_ORGANIZATION = "2.5.4.10";
export const OID_SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
const OID_KEY_USAGE = "2.5.29.15";
const OID_BASIC_CONSTRAINTS = "2.5.29.19";
const OID_CRL_DISTRIBUTION_POINTS = "2.5.29.31";
export const OID_AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";

export interface DistinguishedName {
  commonName: string;
  organization: string;
  locality: string;
  state: string;
  /** Two letters, PrintableString. */
  country: string;
}

export function encodeName(name: DistinguishedName): Uint8Array {
  const attribute = (oid: string, value: Uint8Array) => derSet(derSequence(derOid(oid), value));
  return derSequence(
    attribute(OID_COMMON_NAME, derUtf8String(name.commonName)),
    attribute(OID_ORGANIZATION, derUtf8String(name.organization)),
    attribute(OID_LOCALITY, derUtf8String(name.locality)),
    attribute(OID_STATE, derUtf8String(name.state)),
    attribute(OID_COUNTRY, derPrintableString(name.country)),
  );
}

export function ecdsaWithSha256(): Uint8Array {
  return derSequence(derOid(OID_ECDSA_WITH_SHA256));
}

function subjectPublicKeyInfo(publicKey: Uint8Array): Uint8Array {
  return derSequence(derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(OID_PRIME256V1)), derBitString(publicKey));
}

/** One Extension: `SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING }`. */
export function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? derSequence(derOid(oid), derBoolean(true), derOctetString(value))
    : derSequence(derOid(oid), derOctetString(value));
}

/** AuthorityKeyIdentifier with only `[0] keyIdentifier`, as Intel issues it. */
export function authorityKeyIdentifier(issuerKeyId: Uint8Array): Uint8Array {
  return extension(OID_AUTHORITY_KEY_IDENTIFIER, false, derSequence(derImplicit(0, derOctetString(issuerKeyId))));
}

function subjectKeyIdentifierExtension(keyId: Uint8Array): Uint8Array {
  return extension(OID_SUBJECT_KEY_IDENTIFIER, false, derOctetString(keyId));
}

/** One distribution point with a full name URI: `[0] { [0] { [6] uri } }`. */
function crlDistributionPoints(uri: string): Uint8Array {
  const generalNames = derImplicit(0, derSequence(derImplicit(6, derIa5String(uri))));
  return extension(OID_CRL_DISTRIBUTION_POINTS, false, derSequence(derSequence(derExplicit(0, generalNames))));
}

/** CA: keyCertSign + cRLSign (bits 5, 6). Leaf: digitalSignature + nonRepudiation (bits 0, 1). */
function keyUsage(isCa: boolean): Uint8Array {
  const bits = isCa ? derBitString(Uint8Array.of(0x06), 1) : derBitString(Uint8Array.of(0xc0), 6);
  return extension(OID_KEY_USAGE, true, bits);
}

function basicConstraints(pathLength: number | undefined): Uint8Array {
  const value =
    pathLength === undefined ? derSequence() : derSequence(derBoolean(true), derInteger(pathLength));
  return extension(OID_BASIC_CONSTRAINTS, true, value);
}

export interface CertificateSpec {
  /** Positive serial, big-endian magnitude. */
  serial: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  /** Unix seconds. */
  notBefore: number;
  notAfter: number;
  subjectKey: DevKeyPair;
  issuerKey: DevKeyPair;
  /** `undefined` = end entity (CA:FALSE); a number = CA:TRUE with that pathLenConstraint. */
  caPathLength: number | undefined;
  crlDistributionPoint: string;
  /** Extra extensions appended after Intel's standard five (the SGX extension on a PCK leaf). */
  extraExtensions?: Uint8Array[];
}

/** DER of a signed X.509 v3 certificate. */
export function buildCertificate(spec: CertificateSpec): Uint8Array {
  const issuerKeyId = subjectKeyIdentifier(spec.issuerKey.publicKey);
  const subjectKeyId = subjectKeyIdentifier(spec.subjectKey.publicKey);
  const extensions = [
    authorityKeyIdentifier(issuerKeyId),
    crlDistributionPoints(spec.crlDistributionPoint),
    subjectKeyIdentifierExtension(subjectKeyId),
    keyUsage(spec.caPathLength !== undefined),
    basicConstraints(spec.caPathLength),
    ...(spec.extraExtensions ?? []),
  ];
  const tbsCertificate = derSequence(
    derExplicit(0, derInteger(2)),
    derInteger(spec.serial),
    ecdsaWithSha256(),
    encodeName(spec.issuer),
    derSequence(derTime(spec.notBefore), derTime(spec.notAfter)),
    encodeName(spec.subject),
    subjectPublicKeyInfo(spec.subjectKey.publicKey),
    derExplicit(3, derSequence(...extensions)),
  );
  return signToBeSigned(tbsCertificate, spec.issuerKey);
}

/** `SEQUENCE { toBeSigned, ecdsa-with-SHA256, BIT STRING(DER signature) }` (certs and CRLs). */
export function signToBeSigned(toBeSigned: Uint8Array, signer: DevKeyPair): Uint8Array {
  return derSequence(toBeSigned, ecdsaWithSha256(), derBitString(signDer(signer.privateKey, toBeSigned)));
}

/** PEM armour, 64 base64 characters a line, as Intel's chains are written. */
export function derToPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/** A PEM chain, leaf first, each certificate ending in a newline (Intel's layout). */
export function pemChain(...certificates: Uint8Array[]): string {
  return certificates.map(derToPem).join("");
}

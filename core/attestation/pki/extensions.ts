import { DER_TAG, DerReader, readSingle } from "./der";

/** RFC 5280 §4.1 Extensions, shared by certificates and CRLs. */
export interface Extension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING contents (the DER of the extension's own structure). */
  value: Uint8Array;
}

export const OID_BASIC_CONSTRAINTS = "2.5.29.19";
export const OID_KEY_USAGE = "2.5.29.15";
export const OID_SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
export const OID_AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";
export const OID_CRL_DISTRIBUTION_POINTS = "2.5.29.31";
export const OID_CRL_NUMBER = "2.5.29.20";
export const OID_CRL_REASON = "2.5.29.21";
/** Intel SGX PCK certificate extension (Intel SGX PCK Certificate and CRL Profile). */
export const OID_SGX_EXTENSION = "1.2.840.113741.1.13.1";

/** Reads `SEQUENCE SIZE (1..MAX) OF Extension`; an OID may appear only once (RFC 5280 §4.2). */
export function readExtensions(reader: DerReader, what: string): Extension[] {
  const list = reader.sequence(what);
  if (list.done) reader.fail(`${what}: empty extension list`);
  const extensions: Extension[] = [];
  const seen = new Set<string>();
  while (!list.done) {
    const extension = list.sequence(`${what} entry`);
    const oid = extension.oid(`${what} id`);
    let critical = false;
    if (extension.peekTag() === DER_TAG.BOOLEAN) {
      critical = extension.boolean(`${what} ${oid} critical`);
      // DEFAULT FALSE must be omitted in DER (X.690 §11.5).
      if (!critical) reader.fail(`${what} ${oid}: explicit critical FALSE is not DER`);
    }
    const value = extension.octetString(`${what} ${oid} value`);
    extension.end(`${what} ${oid}`);
    if (seen.has(oid)) reader.fail(`${what}: duplicate extension ${oid}`);
    seen.add(oid);
    extensions.push({ oid, critical, value });
  }
  return extensions;
}

export interface BasicConstraints {
  ca: boolean;
  /** Maximum number of intermediate CAs below this one, if limited. */
  pathLength: number | undefined;
}

/** basicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
export function parseBasicConstraints(value: Uint8Array, reader: DerReader): BasicConstraints {
  const what = "basicConstraints";
  const sequence = new DerReader(readSingle(value, DER_TAG.SEQUENCE, reader.code, what).value, reader.code);
  let ca = false;
  if (sequence.peekTag() === DER_TAG.BOOLEAN) {
    ca = sequence.boolean(`${what} cA`);
    if (!ca) reader.fail(`${what}: explicit cA FALSE is not DER`);
  }
  const pathLength = sequence.peekTag() === DER_TAG.INTEGER ? sequence.smallInteger(`${what} pathLen`, 255) : undefined;
  sequence.end(what);
  if (pathLength !== undefined && !ca) reader.fail(`${what}: pathLen without cA`);
  return { ca, pathLength };
}

export interface KeyUsage {
  digitalSignature: boolean;
  nonRepudiation: boolean;
  keyEncipherment: boolean;
  dataEncipherment: boolean;
  keyAgreement: boolean;
  keyCertSign: boolean;
  cRLSign: boolean;
  encipherOnly: boolean;
  decipherOnly: boolean;
}

const KEY_USAGE_BITS: (keyof KeyUsage)[] = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
];

/** keyUsage ::= BIT STRING (RFC 5280 §4.2.1.3); bit 0 is the most significant bit of byte 0. */
export function parseKeyUsage(value: Uint8Array, reader: DerReader): KeyUsage {
  const outer = new DerReader(value, reader.code);
  const { bytes } = outer.bitString("keyUsage");
  outer.end("keyUsage");
  const usage = {} as KeyUsage;
  KEY_USAGE_BITS.forEach((name, bit) => {
    const byte = bytes[bit >> 3] ?? 0;
    usage[name] = (byte & (0x80 >> (bit & 7))) !== 0;
  });
  return usage;
}

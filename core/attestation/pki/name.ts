import { DER_TAG, DerReader } from "./der";

/**
 * X.501 Names. Chain building compares names as raw DER bytes (exact match, as Intel's PKI
 * encodes issuer and subject identically); the common name is only for messages and logs.
 */
export interface DistinguishedName {
  /** The whole Name DER (SEQUENCE OF RelativeDistinguishedName). */
  encoded: Uint8Array;
  /** The first commonName (2.5.4.3), if any, for humans. */
  commonName: string | undefined;
}

const OID_COMMON_NAME = "2.5.4.3";
const STRING_TAGS = new Set<number>([DER_TAG.UTF8_STRING, DER_TAG.PRINTABLE_STRING, DER_TAG.IA5_STRING]);
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

export function readName(reader: DerReader, what: string): DistinguishedName {
  const element = reader.expect(DER_TAG.SEQUENCE, what);
  const rdns = new DerReader(element.value, reader.code);
  let commonName: string | undefined;
  while (!rdns.done) {
    const rdn = rdns.enter(DER_TAG.SET, `${what} RDN`);
    if (rdn.done) reader.fail(`${what}: empty RDN`);
    while (!rdn.done) {
      const attribute = rdn.sequence(`${what} attribute`);
      const type = attribute.oid(`${what} attribute type`);
      const value = attribute.next(`${what} attribute value`);
      attribute.end(`${what} attribute`);
      if (type === OID_COMMON_NAME && commonName === undefined && STRING_TAGS.has(value.tag)) {
        commonName = decodeText(value.value, reader, what);
      }
    }
  }
  return { encoded: element.encoded, commonName };
}

function decodeText(bytes: Uint8Array, reader: DerReader, what: string): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return reader.fail(`${what}: commonName is not valid UTF-8`);
  }
}

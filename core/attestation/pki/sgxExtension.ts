import { AttestationError } from "../errors";
import { DER_TAG, DerReader, readSingle } from "./der";
import type { Certificate } from "./x509";

/**
 * The Intel SGX PCK certificate extension (OID 1.2.840.113741.1.13.1), per Intel's "SGX PCK
 * Certificate and Certificate Revocation List Profile Specification". It is a SEQUENCE of
 * (OID, value) pairs:
 *   .1 PPID            OCTET STRING (16)
 *   .2 TCB             SEQUENCE of (OID, value): .2.1–.2.16 SGX TCB component SVNs (INTEGER),
 *                      .2.17 PCESVN (INTEGER), .2.18 CPUSVN (OCTET STRING 16)
 *   .3 PCE-ID          OCTET STRING (2)
 *   .4 FMSPC           OCTET STRING (6)
 *   .5 SGX Type        ENUMERATED (0 Standard, 1 Scalable, 2 Scalable with Integrity)
 *   .6 PlatformInstanceID  OCTET STRING (16)        — Platform CA PCKs only
 *   .7 Configuration   SEQUENCE of (OID, BOOLEAN): .7.1 dynamicPlatform, .7.2 cachedKeys,
 *                      .7.3 SMTEnabled             — Platform CA PCKs only
 * The TCB matcher needs the component SVNs, PCESVN, PCE-ID and FMSPC; they must be exact.
 */
export interface SgxPckExtension {
  ppid: Uint8Array;
  /** 16 bytes. */
  cpuSvn: Uint8Array;
  /** The 16 SGX TCB component SVNs, component 1 first. */
  sgxTcbComponents: number[];
  pceSvn: number;
  /** 2 bytes. */
  pceId: Uint8Array;
  /** 6 bytes. */
  fmspc: Uint8Array;
  sgxType: number;
  platformInstanceId?: Uint8Array;
  configuration?: { dynamicPlatform?: boolean; cachedKeys?: boolean; smtEnabled?: boolean };
}

const SGX = "1.2.840.113741.1.13.1";
const CODE = "PCK_EXTENSION_MALFORMED" as const;

export function parseSgxExtension(extensionDer: Uint8Array): SgxPckExtension {
  const top = new DerReader(readSingle(extensionDer, DER_TAG.SEQUENCE, CODE, "SGX extension").value, CODE);
  const fields = readPairs(top, `${SGX}.`, "SGX extension");

  const ppid = fixedOctets(take(fields, "1", top), 16, "PPID", top);
  const tcb = readTcb(take(fields, "2", top));
  const pceId = fixedOctets(take(fields, "3", top), 2, "PCE-ID", top);
  const fmspc = fixedOctets(take(fields, "4", top), 6, "FMSPC", top);
  const sgxTypeReader = take(fields, "5", top);
  const sgxType = sgxTypeReader.enumerated("SGX Type", 255);
  sgxTypeReader.end("SGX Type");

  const result: SgxPckExtension = { ppid, ...tcb, pceId, fmspc, sgxType };
  const instance = fields.get("6");
  if (instance) result.platformInstanceId = fixedOctets(instance, 16, "PlatformInstanceID", top);
  const configuration = fields.get("7");
  if (configuration) result.configuration = readConfiguration(configuration);
  // Unknown top-level fields are tolerated: Intel signed them, and newer profiles add fields.
  return result;
}

/**
 * Memo per Certificate object: a ChainCache hit returns the same leaf object, so repeated
 * quotes from one platform parse the extension once. Weak, so it never outlives its leaf.
 */
const parsedByCertificate = new WeakMap<Certificate, SgxPckExtension>();

/**
 * Parses the SGX extension of a PCK leaf; refuses a certificate that has none.
 * The result may be shared between callers: treat it as read-only.
 */
export function sgxExtensionOf(certificate: Certificate): SgxPckExtension {
  const cached = parsedByCertificate.get(certificate);
  if (cached) return cached;
  const extension = certificate.extensions.sgxExtension;
  if (!extension) throw new AttestationError(CODE, "PCK certificate has no SGX extension");
  const parsed = parseSgxExtension(extension);
  parsedByCertificate.set(certificate, parsed);
  return parsed;
}

function readTcb(tcbValue: DerReader): Pick<SgxPckExtension, "cpuSvn" | "sgxTcbComponents" | "pceSvn"> {
  const fields = readPairs(tcbValue.sequence("TCB"), `${SGX}.2.`, "TCB");
  tcbValue.end("TCB");
  const sgxTcbComponents: number[] = [];
  for (let component = 1; component <= 16; component++) {
    const reader = take(fields, String(component), tcbValue);
    sgxTcbComponents.push(reader.smallInteger(`SGX TCB component ${component}`, 255));
    reader.end(`SGX TCB component ${component}`);
  }
  const pceSvnReader = take(fields, "17", tcbValue);
  const pceSvn = pceSvnReader.smallInteger("PCESVN", 0xffff);
  pceSvnReader.end("PCESVN");
  const cpuSvn = fixedOctets(take(fields, "18", tcbValue), 16, "CPUSVN", tcbValue);
  if (fields.size > 0) tcbValue.fail(`TCB: unexpected field ${[...fields.keys()].join(", ")}`);
  return { cpuSvn, sgxTcbComponents, pceSvn };
}

function readConfiguration(value: DerReader): NonNullable<SgxPckExtension["configuration"]> {
  const fields = readPairs(value.sequence("Configuration"), `${SGX}.7.`, "Configuration");
  value.end("Configuration");
  const flag = (arc: string, name: string): boolean | undefined => {
    const reader = fields.get(arc);
    if (!reader) return undefined;
    const result = reader.boolean(name);
    reader.end(name);
    return result;
  };
  const configuration: NonNullable<SgxPckExtension["configuration"]> = {};
  const dynamicPlatform = flag("1", "dynamicPlatform");
  const cachedKeys = flag("2", "cachedKeys");
  const smtEnabled = flag("3", "SMTEnabled");
  if (dynamicPlatform !== undefined) configuration.dynamicPlatform = dynamicPlatform;
  if (cachedKeys !== undefined) configuration.cachedKeys = cachedKeys;
  if (smtEnabled !== undefined) configuration.smtEnabled = smtEnabled;
  return configuration;
}

/**
 * Reads `SEQUENCE { SEQUENCE { OID, value } ... }` entries whose OID is directly under
 * `prefix`; returns a reader over each value keyed by the last arc. Duplicates are refused.
 */
function readPairs(list: DerReader, prefix: string, what: string): Map<string, DerReader> {
  const fields = new Map<string, DerReader>();
  while (!list.done) {
    const pair = list.sequence(`${what} entry`);
    const oid = pair.oid(`${what} entry id`);
    const arc = oid.startsWith(prefix) ? oid.slice(prefix.length) : "";
    if (!/^[1-9][0-9]*$/.test(arc)) list.fail(`${what}: unexpected field ${oid}`);
    if (fields.has(arc)) list.fail(`${what}: duplicate field ${oid}`);
    if (pair.done) list.fail(`${what}: field ${oid} has no value`);
    fields.set(arc, pair);
  }
  return fields;
}

function take(fields: Map<string, DerReader>, arc: string, reader: DerReader): DerReader {
  const value = fields.get(arc);
  if (!value) return reader.fail(`missing SGX extension field …${arc}`);
  fields.delete(arc);
  return value;
}

function fixedOctets(value: DerReader, length: number, what: string, reader: DerReader): Uint8Array {
  const bytes = value.octetString(what);
  value.end(what);
  if (bytes.length !== length) reader.fail(`${what}: expected ${length} bytes, found ${bytes.length}`);
  return bytes;
}

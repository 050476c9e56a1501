import {
  derBoolean,
  derEnumerated,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
} from "./der";
import { SimulatorError, requireIntegerInRange, requireLength } from "./errors";
import { extension } from "./x509";

/**
 * Intel's SGX PCK certificate extension (OID 1.2.840.113741.1.13.1), written with the same
 * ASN.1 shape as a real Platform-CA PCK certificate (Intel "SGX PCK Certificate and CRL
 * Profile"; compare the leaf inside ../shared/tdx-vectors/dcap-qvl/tdx_quote):
 *
 *   SEQUENCE {
 *     SEQUENCE { .1 PPID, OCTET STRING(16) }
 *     SEQUENCE { .2 TCB, SEQUENCE {
 *       SEQUENCE { .2.1 .. .2.16 SGX TCB component SVN, INTEGER } x16,
 *       SEQUENCE { .2.17 PCESVN, INTEGER },
 *       SEQUENCE { .2.18 CPUSVN, OCTET STRING(16) } } }
 *     SEQUENCE { .3 PCE-ID, OCTET STRING(2) }
 *     SEQUENCE { .4 FMSPC, OCTET STRING(6) }
 *     SEQUENCE { .5 SGX Type, ENUMERATED }
 *     SEQUENCE { .6 PlatformInstanceID, OCTET STRING(16) }        -- Platform CA leaves only
 *     SEQUENCE { .7 Configuration, SEQUENCE { .7.1 dynamicPlatform, .7.2 cachedKeys,
 *                                              .7.3 smtEnabled: BOOLEAN } }
 *   }
 */

export const OID_SGX_EXTENSION = "1.2.840.113741.1.13.1";

/** SGX Type values of the `.5` field. */
export const SGX_TYPE = { standard: 0, scalable: 1, scalableWithIntegrity: 2 } as const;

export interface PckExtensionFields {
  /** 16 bytes. */
  ppid: Uint8Array;
  /** 16 SGX TCB component SVNs, 0..255 each; the CPUSVN carries the same 16 bytes. */
  sgxTcbComponents: readonly number[];
  /** 0..65535. */
  pceSvn: number;
  /** 2 bytes. */
  pceId: Uint8Array;
  /** 6 bytes. */
  fmspc: Uint8Array;
  sgxType: number;
  /** 16 bytes. */
  platformInstanceId: Uint8Array;
  configuration: { dynamicPlatform: boolean; cachedKeys: boolean; smtEnabled: boolean };
}

/** The 16 SGX TCB component SVNs as the CPUSVN byte string. */
export function cpuSvnFromComponents(components: readonly number[]): Uint8Array {
  if (components.length !== 16) {
    throw new SimulatorError("SIMULATOR_FIELD_LENGTH", `sgxTcbComponents must have 16 SVNs, got ${components.length}`);
  }
  return Uint8Array.from(components, (svn, index) => requireIntegerInRange(`sgxTcbComponents[${index}]`, svn, 0, 255));
}

function field(oid: string, value: Uint8Array): Uint8Array {
  return derSequence(derOid(oid), value);
}

/** The extnValue content (the outer SEQUENCE) of the SGX extension. */
export function encodePckExtensionValue(fields: PckExtensionFields): Uint8Array {
  const cpuSvn = cpuSvnFromComponents(fields.sgxTcbComponents);
  const tcbOid = `${OID_SGX_EXTENSION}.2`;
  const componentEntries = Array.from(cpuSvn, (svn, index) => field(`${tcbOid}.${index + 1}`, derInteger(svn)));
  const tcb = derSequence(
    ...componentEntries,
    field(`${tcbOid}.17`, derInteger(requireIntegerInRange("pceSvn", fields.pceSvn, 0, 0xffff))),
    field(`${tcbOid}.18`, derOctetString(cpuSvn)),
  );
  const configOid = `${OID_SGX_EXTENSION}.7`;
  const configuration = derSequence(
    field(`${configOid}.1`, derBoolean(fields.configuration.dynamicPlatform)),
    field(`${configOid}.2`, derBoolean(fields.configuration.cachedKeys)),
    field(`${configOid}.3`, derBoolean(fields.configuration.smtEnabled)),
  );
  return derSequence(
    field(`${OID_SGX_EXTENSION}.1`, derOctetString(requireLength("ppid", fields.ppid, 16))),
    field(tcbOid, tcb),
    field(`${OID_SGX_EXTENSION}.3`, derOctetString(requireLength("pceId", fields.pceId, 2))),
    field(`${OID_SGX_EXTENSION}.4`, derOctetString(requireLength("fmspc", fields.fmspc, 6))),
    field(`${OID_SGX_EXTENSION}.5`, derEnumerated(requireIntegerInRange("sgxType", fields.sgxType, 0, 2))),
    field(`${OID_SGX_EXTENSION}.6`, derOctetString(requireLength("platformInstanceId", fields.platformInstanceId, 16))),
    field(configOid, configuration),
  );
}

/** The complete, non-critical Extension as it appears in the certificate. */
export function pckExtension(fields: PckExtensionFields): Uint8Array {
  return extension(OID_SGX_EXTENSION, false, encodePckExtensionValue(fields));
}

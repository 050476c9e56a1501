import {
  derEnumerated,
  derExplicit,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  derTime,
} from "./der";
import { type DevKeyPair, subjectKeyIdentifier } from "./keys";
import { type DistinguishedName, authorityKeyIdentifier, ecdsaWithSha256, encodeName, extension, signToBeSigned } from "./x509";

/**
 * X.509 v2 CRLs in the shape Intel PCS serves them (compare
 * ../shared/tdx-vectors/automata/intel_root_ca_crl.der and pck_platform_crl.der):
 * version 2, ecdsa-with-SHA256, thisUpdate/nextUpdate, one entry per revoked serial with a
 * keyCompromise reason code, and the CRL extensions CRL Number then AKI.
 */

const OID_CRL_NUMBER = "2.5.29.20";
const OID_CRL_REASON = "2.5.29.21";
/** RFC 5280 CRLReason keyCompromise, as on every entry of Intel's PCK CRLs. */
const REASON_KEY_COMPROMISE = 1;

export interface CrlSpec {
  issuer: DistinguishedName;
  issuerKey: DevKeyPair;
  /** Unix seconds. */
  thisUpdate: number;
  nextUpdate: number;
  /** Serials (big-endian magnitudes) to list as revoked, each dated `thisUpdate`. */
  revokedSerials?: readonly Uint8Array[];
  /** Defaults to 1, as in Intel's CRLs. */
  crlNumber?: number;
}

function revokedEntry(serial: Uint8Array, revocationDate: number): Uint8Array {
  const reason = derSequence(derOid(OID_CRL_REASON), derOctetString(derEnumerated(REASON_KEY_COMPROMISE)));
  return derSequence(derInteger(serial), derTime(revocationDate), derSequence(reason));
}

/** DER of a signed CRL. */
export function buildCrl(spec: CrlSpec): Uint8Array {
  const revoked = spec.revokedSerials ?? [];
  const crlExtensions = derSequence(
    extension(OID_CRL_NUMBER, false, derInteger(spec.crlNumber ?? 1)),
    authorityKeyIdentifier(subjectKeyIdentifier(spec.issuerKey.publicKey)),
  );
  const tbsCertList = derSequence(
    derInteger(1),
    ecdsaWithSha256(),
    encodeName(spec.issuer),
    derTime(spec.thisUpdate),
    derTime(spec.nextUpdate),
    // An empty revokedCertificates must be omitted, not encoded empty (RFC 5280 5.1.2.6).
    ...(revoked.length > 0 ? [derSequence(...revoked.map((serial) => revokedEntry(serial, spec.thisUpdate)))] : []),
    derExplicit(0, crlExtensions),
  );
  return signToBeSigned(tbsCertList, spec.issuerKey);
}

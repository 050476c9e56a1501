import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, toHex } from "../../bytes";
import { buildCrl } from "./crl";
import { requireIntegerInRange, requireLength } from "./errors";
import { type DevKeyPair, deriveBytes, deriveKeyPair, deriveSerial } from "./keys";
import { SGX_TYPE, cpuSvnFromComponents, pckExtension } from "./pckExtension";
import {
  DEV_CERT_NOT_AFTER,
  DEV_CERT_NOT_BEFORE,
  DEV_FMSPC,
  DEV_MR_SEAM,
  DEV_PCE_ID,
  DEV_PCE_SVN,
  DEV_PKI_DEFAULT_NOW,
  DEV_QE_ATTRIBUTES,
  DEV_QE_ISV_PROD_ID,
  DEV_QE_ISV_SVN,
  DEV_QE_MR_ENCLAVE,
  DEV_QE_MR_SIGNER,
  DEV_SGX_TCB_COMPONENTS,
  DEV_TEE_TCB_SVN,
  type DevPlatform,
  type DevQuotingEnclave,
} from "./platform";
import { type DistinguishedName, buildCertificate, derToPem, pemChain } from "./x509";

/**
 * The development PKI of the `sandbox` network: a root CA, a PCK Platform CA, a TCB Signing
 * certificate, one machine's PCK leaf and the two CRLs, shaped exactly like Intel's SGX PKI
 * so the one verifier checks both. Everything is derived from a seed; the root depends on
 * the seed alone, so its hash can be pinned (DEV_ROOT_DER_SHA256).
 *
 * SANDBOX ONLY. The seed is public, so anyone can mint quotes under this root. Only sandbox
 * code paths may import this module; a `sealed` KMS pins Intel's root and nothing else.
 */

export const DEFAULT_DEV_SEED = "basekms/dev-ca/v1";
/** SHA-256 (hex) of the dev root DER for the default seed: what a sandbox KMS pins. */
export const DEV_ROOT_DER_SHA256 = "fc9ecaaaa6315c91a5bd86e40507a194ff090397f090f55242f4c000dc262920";

const ONE_DAY = 86_400;
/** CRLs (and collateral) are issued a day back and live 30 days, as Intel's PCK CRL does. */
export const DEV_CRL_BACKDATE_SECONDS = ONE_DAY;
export const DEV_CRL_LIFETIME_SECONDS = 30 * ONE_DAY;

const CRL_BASE_URL = "https://pccs.basekms-dev.invalid/sgx/certification/v4";
const ROOT_CA_CRL_URL = `${CRL_BASE_URL}/rootcacrl`;
const PCK_CRL_URL = `${CRL_BASE_URL}/pckcrl?ca=platform&encoding=der`;

function devName(commonName: string): DistinguishedName {
  return { commonName, organization: "basekms", locality: "Sandbox", state: "Sandbox", country: "XX" };
}
const ROOT_NAME = devName("basekms Development SGX Root CA");
const PLATFORM_CA_NAME = devName("basekms Development SGX PCK Platform CA");
const TCB_SIGNING_NAME = devName("basekms Development SGX TCB Signing");
const PCK_LEAF_NAME = devName("basekms Development SGX PCK Certificate");

export interface DevCertificate {
  der: Uint8Array;
  pem: string;
  /** Serial as a big-endian magnitude (what a CRL lists). */
  serial: Uint8Array;
  keyPair: DevKeyPair;
  subject: DistinguishedName;
  /** Unix seconds. */
  notBefore: number;
  notAfter: number;
}

export interface DevPki {
  seed: string;
  machineId: string;
  root: DevCertificate;
  platformCa: DevCertificate;
  tcbSigning: DevCertificate;
  pckLeaf: DevCertificate;
  /** The quoting enclave's attestation key: signs quotes; its hash sits in the QE report. */
  attestationKey: DevKeyPair;
  platform: DevPlatform;
  quotingEnclave: DevQuotingEnclave;
  /** The 20-byte user data of the quote header (QE id ‖ 4 zero bytes, as real quotes carry). */
  quoteHeaderUserData: Uint8Array;
  /** PEM chains, leaf first, ending at the dev root. */
  pckChainPem: string;
  pckCrlIssuerChainPem: string;
  tcbSigningChainPem: string;
  /** Serials the CRLs list by default (collateral may override). */
  revokedCaSerials: readonly Uint8Array[];
  revokedPckSerials: readonly Uint8Array[];
  /** DER CRLs issued at the `now` given to createDevPki. */
  rootCaCrl: Uint8Array;
  pckCrl: Uint8Array;
}

export interface CreateDevPkiOptions {
  /** Default DEFAULT_DEV_SEED. */
  seed?: string;
  /** Another machine under the same CAs: new PCK key, serial, PPID and attestation key. */
  machineId?: string;
  /** Issue time of the CRLs held by the PKI, Unix seconds. Default DEV_PKI_DEFAULT_NOW. */
  now?: number;
  fmspc?: Uint8Array;
  pceId?: Uint8Array;
  pceSvn?: number;
  sgxTcbComponents?: readonly number[];
  teeTcbSvn?: Uint8Array;
  mrSeam?: Uint8Array;
  qeIsvSvn?: number;
  /** Validity of the PCK leaf (Unix seconds), for expiry tests. CAs keep the fixed window. */
  pckValidity?: { notBefore: number; notAfter: number };
  revokedCaSerials?: readonly Uint8Array[];
  revokedPckSerials?: readonly Uint8Array[];
}

function certificate(
  spec: Omit<Parameters<typeof buildCertificate>[0], "serial" | "notBefore" | "notAfter"> & {
    serial: Uint8Array;
    notBefore?: number;
    notAfter?: number;
  },
): DevCertificate {
  const notBefore = spec.notBefore ?? DEV_CERT_NOT_BEFORE;
  const notAfter = spec.notAfter ?? DEV_CERT_NOT_AFTER;
  const der = buildCertificate({ ...spec, notBefore, notAfter });
  return { der, pem: derToPem(der), serial: spec.serial, keyPair: spec.subjectKey, subject: spec.subject, notBefore, notAfter };
}

function buildPlatform(seed: string, machineId: string, options: CreateDevPkiOptions): DevPlatform {
  const sgxTcbComponents = [...(options.sgxTcbComponents ?? DEV_SGX_TCB_COMPONENTS)];
  return {
    fmspc: requireLength("fmspc", options.fmspc ?? DEV_FMSPC, 6),
    pceId: requireLength("pceId", options.pceId ?? DEV_PCE_ID, 2),
    pceSvn: requireIntegerInRange("pceSvn", options.pceSvn ?? DEV_PCE_SVN, 0, 0xffff),
    sgxTcbComponents,
    cpuSvn: cpuSvnFromComponents(sgxTcbComponents),
    teeTcbSvn: requireLength("teeTcbSvn", options.teeTcbSvn ?? DEV_TEE_TCB_SVN, 16),
    mrSeam: requireLength("mrSeam", options.mrSeam ?? DEV_MR_SEAM, 48),
    ppid: deriveBytes(seed, `machine/${machineId}/ppid`, 16),
    platformInstanceId: deriveBytes(seed, `machine/${machineId}/platform-instance-id`, 16),
  };
}

/** The self-signed dev root (CA, pathlen 1). It depends on the seed alone. */
function buildRootCertificate(seed: string): DevCertificate {
  const rootKey = deriveKeyPair(seed, "root-ca");
  return certificate({
    serial: deriveSerial(seed, "root-ca"),
    issuer: ROOT_NAME,
    subject: ROOT_NAME,
    subjectKey: rootKey,
    issuerKey: rootKey,
    caPathLength: 1,
    crlDistributionPoint: ROOT_CA_CRL_URL,
  });
}

/** Builds the whole dev PKI. Deterministic: same options, same bytes. */
export function createDevPki(options: CreateDevPkiOptions = {}): DevPki {
  const seed = options.seed ?? DEFAULT_DEV_SEED;
  const machineId = options.machineId ?? "machine-0";
  const platformCaKey = deriveKeyPair(seed, "pck-platform-ca");
  const platform = buildPlatform(seed, machineId, options);

  const root = buildRootCertificate(seed);
  const platformCa = certificate({
    serial: deriveSerial(seed, "pck-platform-ca"),
    issuer: ROOT_NAME,
    subject: PLATFORM_CA_NAME,
    subjectKey: platformCaKey,
    issuerKey: root.keyPair,
    caPathLength: 0,
    crlDistributionPoint: ROOT_CA_CRL_URL,
  });
  const tcbSigning = certificate({
    serial: deriveSerial(seed, "tcb-signing"),
    issuer: ROOT_NAME,
    subject: TCB_SIGNING_NAME,
    subjectKey: deriveKeyPair(seed, "tcb-signing"),
    issuerKey: root.keyPair,
    caPathLength: undefined,
    crlDistributionPoint: ROOT_CA_CRL_URL,
  });
  const pckLeaf = certificate({
    serial: deriveSerial(seed, `machine/${machineId}/pck-leaf`),
    issuer: PLATFORM_CA_NAME,
    subject: PCK_LEAF_NAME,
    subjectKey: deriveKeyPair(seed, `machine/${machineId}/pck-leaf`),
    issuerKey: platformCaKey,
    caPathLength: undefined,
    crlDistributionPoint: PCK_CRL_URL,
    notBefore: options.pckValidity?.notBefore,
    notAfter: options.pckValidity?.notAfter,
    extraExtensions: [
      pckExtension({
        ...platform,
        sgxType: SGX_TYPE.scalable,
        configuration: { dynamicPlatform: true, cachedKeys: true, smtEnabled: true },
      }),
    ],
  });

  const quotingEnclave: DevQuotingEnclave = {
    cpuSvn: platform.cpuSvn,
    miscSelect: 0,
    attributes: DEV_QE_ATTRIBUTES,
    mrEnclave: DEV_QE_MR_ENCLAVE,
    mrSigner: DEV_QE_MR_SIGNER,
    isvProdId: DEV_QE_ISV_PROD_ID,
    isvSvn: requireIntegerInRange("qeIsvSvn", options.qeIsvSvn ?? DEV_QE_ISV_SVN, 0, 0xffff),
  };
  const partial = {
    seed,
    machineId,
    root,
    platformCa,
    tcbSigning,
    pckLeaf,
    attestationKey: deriveKeyPair(seed, `machine/${machineId}/attestation-key`),
    platform,
    quotingEnclave,
    quoteHeaderUserData: concatBytes(deriveBytes(seed, `machine/${machineId}/qe-id`, 16), new Uint8Array(4)),
    pckChainPem: pemChain(pckLeaf.der, platformCa.der, root.der),
    pckCrlIssuerChainPem: pemChain(platformCa.der, root.der),
    tcbSigningChainPem: pemChain(tcbSigning.der, root.der),
    revokedCaSerials: options.revokedCaSerials ?? [],
    revokedPckSerials: options.revokedPckSerials ?? [],
  };
  const now = options.now ?? DEV_PKI_DEFAULT_NOW;
  const window = { thisUpdate: now - DEV_CRL_BACKDATE_SECONDS, nextUpdate: now + DEV_CRL_LIFETIME_SECONDS };
  return {
    ...partial,
    rootCaCrl: issueRootCaCrl(partial, window),
    pckCrl: issuePckCrl(partial, window),
  };
}

export interface IssueCrlOptions {
  /** Unix seconds. */
  thisUpdate: number;
  nextUpdate: number;
  /** Default: the PKI's own revoked list. */
  revokedSerials?: readonly Uint8Array[];
}

type CrlIssuers = Pick<DevPki, "root" | "platformCa" | "revokedCaSerials" | "revokedPckSerials">;

/** The root CA CRL (revokes intermediate CAs and the TCB Signing cert), signed by the root. */
export function issueRootCaCrl(pki: CrlIssuers, options: IssueCrlOptions): Uint8Array {
  return buildCrl({
    issuer: pki.root.subject,
    issuerKey: pki.root.keyPair,
    thisUpdate: options.thisUpdate,
    nextUpdate: options.nextUpdate,
    revokedSerials: options.revokedSerials ?? pki.revokedCaSerials,
  });
}

/** The PCK CRL (revokes PCK leaves), signed by the PCK Platform CA. */
export function issuePckCrl(pki: CrlIssuers, options: IssueCrlOptions): Uint8Array {
  return buildCrl({
    issuer: pki.platformCa.subject,
    issuerKey: pki.platformCa.keyPair,
    thisUpdate: options.thisUpdate,
    nextUpdate: options.nextUpdate,
    revokedSerials: options.revokedSerials ?? pki.revokedPckSerials,
  });
}

/** DER of the dev root certificate for a seed (default: the pinned one). */
export function devRootDer(seed: string = DEFAULT_DEV_SEED): Uint8Array {
  return buildRootCertificate(seed).der;
}

/** SHA-256 hex of a root DER, the form DEV_ROOT_DER_SHA256 is written in. */
export function rootDerSha256(rootDer: Uint8Array): string {
  return toHex(sha256(rootDer));
}

import { toHex, utf8 } from "../../bytes";
import type { CollateralJson } from "../types";
import {
  DEV_CRL_BACKDATE_SECONDS,
  DEV_CRL_LIFETIME_SECONDS,
  type DevPki,
  issuePckCrl,
  issueRootCaCrl,
} from "./devPki";
import { signRaw } from "./keys";
import { type QeIdentitySpec, defaultQeIdentityFields, qeIdentityJson } from "./qeIdentity";
import {
  type SimTcbLevel,
  type SimTdxModule,
  type SimTdxModuleIdentity,
  defaultTcbLevels,
  defaultTdxModule,
  defaultTdxModuleIdentities,
  tcbInfoJson,
} from "./tcbInfo";

/**
 * Collateral for a simulated quote, in the exact JSON format of the vectors (dcap-qvl's
 * QuoteCollateralV3): PEM issuer chains, hex DER CRLs, the exact signed TCB Info and QE
 * Identity text, and their raw r‖s signatures by the dev TCB Signing key.
 *
 * SANDBOX ONLY: signed by the development PKI (see devPki.ts).
 */

/** Unix seconds; `[issueDate, nextUpdate]` is the validity window verifiers enforce. */
export interface CollateralValidity {
  issueDate: number;
  nextUpdate: number;
}

export interface IssueCollateralOptions {
  /** Unix seconds. Defaults every window to [now − 1 day, now + 30 days]. */
  now: number;
  tcbInfoValidity?: CollateralValidity;
  qeIdentityValidity?: CollateralValidity;
  /** thisUpdate/nextUpdate of both CRLs. */
  crlValidity?: CollateralValidity;
  /** Default 17. */
  tcbEvaluationDataNumber?: number;
  /** Default: the PKI's platform FMSPC / PCE-ID (override for mismatch tests). */
  fmspc?: Uint8Array;
  pceId?: Uint8Array;
  /** Default: defaultTcbLevels(pki.platform). */
  tcbLevels?: readonly SimTcbLevel[];
  /** Default: Intel's zero signer, zero attributes, all-ones mask. */
  tdxModule?: SimTdxModule;
  /** Default: defaultTdxModuleIdentities(pki.platform). */
  tdxModuleIdentities?: readonly SimTdxModuleIdentity[];
  /** Overrides of the QE Identity (default: matches pki.quotingEnclave, one UpToDate level). */
  qeIdentity?: Partial<Omit<QeIdentitySpec, "issueDate" | "nextUpdate" | "tcbEvaluationDataNumber">>;
  /** Default: the PKI's own revoked lists. */
  revokedCaSerials?: readonly Uint8Array[];
  revokedPckSerials?: readonly Uint8Array[];
}

export const DEFAULT_TCB_EVALUATION_DATA_NUMBER = 17;

function defaultValidity(now: number): CollateralValidity {
  return { issueDate: now - DEV_CRL_BACKDATE_SECONDS, nextUpdate: now + DEV_CRL_LIFETIME_SECONDS };
}

/** Signs the exact text bytes: the signature is over what the JSON field holds, byte for byte. */
function signText(pki: DevPki, text: string): string {
  return toHex(signRaw(pki.tcbSigning.keyPair.privateKey, utf8(text)));
}

/** Drops `undefined` members so an explicit `{ mrSigner: undefined }` keeps the default. */
function withoutUndefined<T extends object>(overrides: T): Partial<T> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function issueCollateral(pki: DevPki, options: IssueCollateralOptions): CollateralJson {
  const tcbEvaluationDataNumber = options.tcbEvaluationDataNumber ?? DEFAULT_TCB_EVALUATION_DATA_NUMBER;
  const tcbInfoValidity = options.tcbInfoValidity ?? defaultValidity(options.now);
  const qeIdentityValidity = options.qeIdentityValidity ?? defaultValidity(options.now);
  const crlValidity = options.crlValidity ?? defaultValidity(options.now);
  const crlWindow = { thisUpdate: crlValidity.issueDate, nextUpdate: crlValidity.nextUpdate };

  const tcbInfo = tcbInfoJson({
    ...tcbInfoValidity,
    fmspc: options.fmspc ?? pki.platform.fmspc,
    pceId: options.pceId ?? pki.platform.pceId,
    tcbEvaluationDataNumber,
    tdxModule: options.tdxModule ?? defaultTdxModule(),
    tdxModuleIdentities: options.tdxModuleIdentities ?? defaultTdxModuleIdentities(pki.platform),
    tcbLevels: options.tcbLevels ?? defaultTcbLevels(pki.platform),
  });
  const qeIdentity = qeIdentityJson({
    ...defaultQeIdentityFields(pki.quotingEnclave),
    ...withoutUndefined(options.qeIdentity ?? {}),
    ...qeIdentityValidity,
    tcbEvaluationDataNumber,
  });

  // Member order as in the vectors' collateral files.
  return {
    pck_crl_issuer_chain: pki.pckCrlIssuerChainPem,
    root_ca_crl: toHex(issueRootCaCrl(pki, { ...crlWindow, revokedSerials: options.revokedCaSerials })),
    pck_crl: toHex(issuePckCrl(pki, { ...crlWindow, revokedSerials: options.revokedPckSerials })),
    tcb_info_issuer_chain: pki.tcbSigningChainPem,
    tcb_info: tcbInfo,
    tcb_info_signature: signText(pki, tcbInfo),
    qe_identity_issuer_chain: pki.tcbSigningChainPem,
    qe_identity: qeIdentity,
    qe_identity_signature: signText(pki, qeIdentity),
  };
}

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesEqual, concatBytes, isAllZero } from "../bytes";
import type { Collateral } from "./collateral";
import { AttestationError } from "./errors";
import { parseEventLog, verifyEventLog } from "./eventlog";
import { platformHash } from "./platformHash";
import { ChainCache, sgxExtensionOf, splitPemChain, verifyP256, type Certificate, type SgxPckExtension } from "./pki";
import { parseQuote } from "./quote";
import { evaluateTcb, type TcbEvaluation } from "./tcb";
import { checkTdPolicy, checkTdxModuleSigner } from "./tdPolicy";
import type { ParsedQuote, TcbStatus } from "./types";
import { verifyCollateral } from "./verifyCollateral";

/**
 * Full Intel TDX DCAP verification of one quote. Pure apart from the caches passed in:
 * `now` is explicit, and so are the trusted roots (sealed: Intel's root only; sandbox: also
 * the development root). Steps, each with its own refusal codes:
 *  1. parse the quote (QUOTE_*);
 *  2. collateral: windows at `now`, TCB Info / QE Identity signing chains and signatures
 *     (COLLATERAL_*, CERT_*, CRL_*, TCB_INFO_SIGNATURE_INVALID, QE_IDENTITY_SIGNATURE_INVALID);
 *  3. the PCK chain embedded in the quote, to a trusted root, checked against both CRLs
 *     (CERT_*, CRL_*). A `pck_certificate_chain` in the collateral is ignored: the KMS trusts
 *     only the chain the quote carries;
 *  4. QE report signature by the PCK key (QE_REPORT_SIGNATURE_INVALID);
 *  5. QE report data = SHA-256(attestation key ‖ QE auth data) ‖ 0^32 (QE_REPORT_DATA_MISMATCH);
 *  6. quote signature by the attestation key over header ‖ body (QUOTE_SIGNATURE_INVALID);
 *  7. MR_SIGNER_SEAM is zero (TD_MR_SIGNER_SEAM_NONZERO);
 *  8. TCB evaluation: QE vendor, FMSPC, PCE-ID, QE identity, TDX module, platform level,
 *     status merge (see core/attestation/tcb);
 *  9. TD policy: debug, attributes, service TD (TD_*);
 * 10. optionally the RTMR3 event log (EVENT_LOG_*).
 * Any status Intel defines, except Revoked, passes here; the on-chain policy decides later.
 */
export interface VerifyQuoteParameters {
  quote: Uint8Array | ParsedQuote;
  collateral: Collateral;
  /** Unix seconds. */
  now: number;
  /** DER of every trusted root. */
  trustedRoots: readonly Uint8Array[];
  /** The RTMR3 event log, in either dstack JSON shape; when given it must replay to RTMR3. */
  eventLog?: unknown;
  cache?: QuoteVerifierCache;
}

export interface QuoteVerification {
  quote: ParsedQuote;
  status: TcbStatus;
  advisoryIds: string[];
  tcb: TcbEvaluation;
  pck: SgxPckExtension;
  platformHash: Uint8Array;
  events?: { appId: Uint8Array; composeHash: Uint8Array; instanceId: Uint8Array };
}

/** Caches for the hot path: certificate chains by their bytes, PCK extensions by certificate. */
export class QuoteVerifierCache {
  readonly chains: ChainCache;
  private readonly pckExtensions = new WeakMap<Certificate, SgxPckExtension>();

  constructor(options: { maxChains?: number } = {}) {
    this.chains = new ChainCache({ maxEntries: options.maxChains ?? 1024 });
  }

  pckExtension(certificate: Certificate): SgxPckExtension {
    let extension = this.pckExtensions.get(certificate);
    if (!extension) {
      extension = sgxExtensionOf(certificate);
      this.pckExtensions.set(certificate, extension);
    }
    return extension;
  }
}

export function verifyQuote(parameters: VerifyQuoteParameters): QuoteVerification {
  const cache = parameters.cache ?? new QuoteVerifierCache();
  const { collateral, now, trustedRoots } = parameters;
  if (!Number.isSafeInteger(now) || now < 0) throw new TypeError("now must be unix seconds");
  const quote = parameters.quote instanceof Uint8Array ? parseQuote(parameters.quote) : parameters.quote;

  verifyCollateral({ collateral, trustedRoots, now, chainCache: cache.chains });

  const pckChain = cache.chains.verify({
    chain: splitPemChain(quote.pckChainPem),
    trustedRoots,
    crls: [collateral.rootCaCrlDer, collateral.pckCrlDer],
    now,
  });
  if (!verifyP256(pckChain.leaf.publicKey, quote.qeReportBytes, quote.qeReportSignature, "ieee-p1363")) {
    throw new AttestationError("QE_REPORT_SIGNATURE_INVALID", "QE report signature does not verify with the PCK key");
  }
  checkQeReportBinding(quote);
  if (!verifyP256(quote.attestationKey, quote.signedBytes, quote.quoteSignature, "ieee-p1363")) {
    throw new AttestationError("QUOTE_SIGNATURE_INVALID", "quote signature does not verify with the attestation key");
  }

  checkTdxModuleSigner(quote.body);
  const pck = cache.pckExtension(pckChain.leaf);
  const tcb = evaluateTcb({
    tcbInfo: collateral.tcbInfo,
    qeIdentity: collateral.qeIdentity,
    pck: { sgxTcbComponents: pck.sgxTcbComponents, cpuSvn: pck.cpuSvn, pceSvn: pck.pceSvn, pceId: pck.pceId, fmspc: pck.fmspc },
    td: { teeTcbSvn: quote.body.teeTcbSvn, mrSignerSeam: quote.body.mrSignerSeam, seamAttributes: quote.body.seamAttributes },
    qeReport: quote.qeReport,
    qeVendorId: quote.header.qeVendorId,
  });
  checkTdPolicy(quote.body);

  const result: QuoteVerification = {
    quote,
    status: tcb.status,
    advisoryIds: tcb.advisoryIds,
    tcb,
    pck,
    platformHash: platformHash(quote.body),
  };
  if (parameters.eventLog !== undefined) {
    const verified = verifyEventLog(parseEventLog(parameters.eventLog), quote.body);
    result.events = { appId: verified.appId, composeHash: verified.composeHash, instanceId: verified.instanceId };
  }
  return result;
}

/** The QE vouches for the attestation key: report_data = SHA-256(attestation key ‖ QE auth data) ‖ 0^32. */
function checkQeReportBinding(quote: ParsedQuote): void {
  const expected = sha256(concatBytes(quote.attestationKey, quote.qeAuthData));
  const reportData = quote.qeReport.reportData;
  if (!bytesEqual(reportData.subarray(0, 32), expected) || !isAllZero(reportData.subarray(32))) {
    throw new AttestationError("QE_REPORT_DATA_MISMATCH", "QE report data does not bind the attestation key and QE auth data");
  }
}

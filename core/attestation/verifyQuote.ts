import { createHash } from "node:crypto";
import { bytesEqual, isAllZero } from "../bytes";
import type { Collateral } from "./collateral";
import { AttestationError } from "./errors";
import { parseEventLog, verifyEventLog } from "./eventlog";
import { platformHash } from "./platformHash";
import {
  ChainCache,
  sgxExtensionOf,
  splitPemChain,
  verifyP256,
  type Certificate,
  type SgxPckExtension,
  type VerifiedChain,
} from "./pki";
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

/**
 * Caches for the hot path. Only successes are stored, each keyed by everything it depends on,
 * and time-dependent results are re-checked against `now` on every hit:
 * - certificate chains by their bytes (`chains`, see ChainCache);
 * - the PCK chain by its exact PEM text and the identity of the CRLs and trusted roots it was
 *   validated with, so a hit skips PEM decoding and hashing (Collateral objects and root
 *   arrays are treated as read-only, as `verifyCollateral` does);
 * - the QE report signature by PCK leaf and exact QE report and signature bytes: a machine's
 *   QE report certifies its attestation key and stays the same across its quotes;
 * - PCK extensions by certificate.
 * The quote signature itself is verified on every call.
 */
export class QuoteVerifierCache {
  readonly chains: ChainCache;
  private readonly maxEntries: number;
  private readonly pckChains = new Map<string, PckChainEntry>();
  private readonly pckExtensions = new WeakMap<Certificate, SgxPckExtension>();
  private readonly qeReportSignatures = new WeakMap<Certificate, Set<string>>();

  constructor(options: { maxChains?: number } = {}) {
    this.maxEntries = options.maxChains ?? 1024;
    this.chains = new ChainCache({ maxEntries: this.maxEntries });
  }

  /** The quote's PCK chain validated to a trusted root against both CRLs (CERT_*, CRL_*). */
  pckChain(pem: string, collateral: Collateral, trustedRoots: readonly Uint8Array[], now: number): VerifiedChain {
    const hit = this.pckChains.get(pem);
    if (
      hit &&
      hit.rootCaCrlDer === collateral.rootCaCrlDer &&
      hit.pckCrlDer === collateral.pckCrlDer &&
      hit.trustedRoots === trustedRoots &&
      now >= hit.chain.validFrom &&
      now <= hit.chain.validUntil
    ) {
      return hit.chain;
    }
    const chain = this.chains.verify({
      chain: splitPemChain(pem),
      trustedRoots,
      crls: [collateral.rootCaCrlDer, collateral.pckCrlDer],
      now,
    });
    this.pckChains.delete(pem);
    if (this.pckChains.size >= this.maxEntries) this.pckChains.delete(this.pckChains.keys().next().value as string);
    this.pckChains.set(pem, { rootCaCrlDer: collateral.rootCaCrlDer, pckCrlDer: collateral.pckCrlDer, trustedRoots, chain });
    return chain;
  }

  /** True when the PCK leaf's key signed the QE report (memoised per leaf for valid signatures only). */
  qeReportSignatureValid(pckLeaf: Certificate, quote: ParsedQuote): boolean {
    const key = latin1(quote.qeReportBytes) + latin1(quote.qeReportSignature);
    let valid = this.qeReportSignatures.get(pckLeaf);
    if (valid?.has(key)) return true;
    if (!verifyP256(pckLeaf.publicKey, quote.qeReportBytes, quote.qeReportSignature, "ieee-p1363")) return false;
    if (!valid) this.qeReportSignatures.set(pckLeaf, (valid = new Set()));
    if (valid.size >= MAX_QE_REPORTS_PER_PCK) valid.clear();
    valid.add(key);
    return true;
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

interface PckChainEntry {
  rootCaCrlDer: Uint8Array;
  pckCrlDer: Uint8Array;
  trustedRoots: readonly Uint8Array[];
  chain: VerifiedChain;
}

/** A machine has one QE report per attestation key; a small bound keeps hostile input from growing the set. */
const MAX_QE_REPORTS_PER_PCK = 16;

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

export function verifyQuote(parameters: VerifyQuoteParameters): QuoteVerification {
  const cache = parameters.cache ?? new QuoteVerifierCache();
  const { collateral, now, trustedRoots } = parameters;
  if (!Number.isSafeInteger(now) || now < 0) throw new TypeError("now must be unix seconds");
  const quote = parameters.quote instanceof Uint8Array ? parseQuote(parameters.quote) : parameters.quote;

  verifyCollateral({ collateral, trustedRoots, now, chainCache: cache.chains });

  const pckChain = cache.pckChain(quote.pckChainPem, collateral, trustedRoots, now);
  if (!cache.qeReportSignatureValid(pckChain.leaf, quote)) {
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
  // node:crypto rather than @noble/hashes: this runs on every verification, and OpenSSL is ~15x faster here.
  const expected = createHash("sha256").update(quote.attestationKey).update(quote.qeAuthData).digest();
  const reportData = quote.qeReport.reportData;
  if (!bytesEqual(reportData.subarray(0, 32), expected) || !isAllZero(reportData.subarray(32))) {
    throw new AttestationError("QE_REPORT_DATA_MISMATCH", "QE report data does not bind the attestation key and QE auth data");
  }
}

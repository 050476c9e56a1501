import { AttestationError } from "../../core/attestation/errors";
import { parseEventLog, verifyEventLog, type VerifiedEventLog } from "../../core/attestation/eventlog";
import { parseQuote } from "../../core/attestation/quote";
import { type QuoteVerification, QuoteVerifierCache, verifyQuote } from "../../core/attestation/verifyQuote";
import { assertReportData } from "../../core/crypto/keyRequestBinding";
import type { NonceStore } from "../challenge";
import { KmsError } from "../errors";
import type { CollateralSource } from "./collateralSource";

/**
 * Steps 1 to 4 of docs/protocol.md, shared by key requests and KMS onboarding. Each step
 * throws its own typed refusal and the order is the protocol's:
 * 1. the quote and its collateral (`verifyQuote`; AttestationError codes, or
 *    COLLATERAL_UNAVAILABLE when the PCCS cannot be used);
 * 2. report_data equals the binding of the nonce and the recipient key (REPORT_DATA_MISMATCH);
 * 3. the nonce is one this KMS issued, unused and unexpired (NONCE_UNKNOWN / _REUSED / _EXPIRED);
 *    it is consumed here, so a refused request still burns its nonce;
 * 4. the event log replays to RTMR3 and names app-id, compose-hash and instance-id once (EVENT_LOG_*).
 * The event log is checked after the nonce, not inside verifyQuote, to keep that order.
 */
export interface AttestedRequest {
  quote: Uint8Array;
  eventLog: unknown;
  nonce: Uint8Array;
  /** The X25519 key the answer will be sealed to, bound by report_data. */
  recipientPublicKey: Uint8Array;
}

export interface AttestedRequestVerifierOptions {
  collateral: CollateralSource;
  /** The network's roots: one array object for the KMS's lifetime (the verifier caches per array). */
  trustedRoots: readonly Uint8Array[];
  nonces: NonceStore;
  /** Unix seconds. */
  now?: () => number;
  cache?: QuoteVerifierCache;
}

export interface VerifiedAttestedRequest {
  verification: QuoteVerification;
  events: VerifiedEventLog;
}

export type ExpectedReportData = (nonce: Uint8Array, recipientPublicKey: Uint8Array) => Uint8Array;

export type AttestedRequestVerifier = (
  request: AttestedRequest,
  expectedReportData: ExpectedReportData,
  purpose: string,
) => Promise<VerifiedAttestedRequest>;

const NONCE_REFUSALS = {
  unknown: ["NONCE_UNKNOWN", "the nonce was not issued by this KMS, or was forgotten"],
  expired: ["NONCE_EXPIRED", "the nonce has expired; get a new challenge"],
  reused: ["NONCE_REUSED", "the nonce was already used"],
} as const;

export function createAttestedRequestVerifier(options: AttestedRequestVerifierOptions): AttestedRequestVerifier {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const cache = options.cache ?? new QuoteVerifierCache();
  return async (request, expectedReportData, purpose) => {
    const parsed = parseQuote(request.quote);
    const collateral = await options.collateral.collateralFor(parsed);
    const verification = verifyQuote({ quote: parsed, collateral, now: now(), trustedRoots: options.trustedRoots, cache });

    assertReportData(parsed.body.reportData, expectedReportData(request.nonce, request.recipientPublicKey), purpose);

    const consumed = options.nonces.consume(request.nonce);
    if (consumed !== "ok") {
      const [code, message] = NONCE_REFUSALS[consumed];
      throw new KmsError(code, message);
    }

    const events = verifyEventLog(parseEventLog(request.eventLog), parsed.body);
    return { verification, events };
  };
}

/** dstack's app id is 20 bytes (the AppRegistry's bytes20); anything else cannot name an app. */
export function assertAppIdLength(events: VerifiedEventLog): void {
  if (events.appId.length !== 20) {
    throw new AttestationError("EVENT_LOG_MALFORMED", `app-id event payload must be 20 bytes, got ${events.appId.length}`);
  }
  if (events.instanceId.length > 256) {
    throw new AttestationError("EVENT_LOG_MALFORMED", `instance-id event payload must be at most 256 bytes, got ${events.instanceId.length}`);
  }
}

import { AttestationError } from "../../core/attestation/errors";
import type { NonceStore } from "../challenge";
import { KmsError } from "../errors";
import { reviveError } from "../workers/transferredError";
import type { AttestationInput, AttestationOutcome, AttestedEvents, AttestedQuote } from "./checkAttestation";

/**
 * Steps 1 to 4 of docs/protocol.md, shared by key requests and KMS onboarding. Each step
 * throws its own typed refusal and the order is the protocol's:
 * 1. the quote and its collateral (`verifyQuote`; AttestationError codes, or
 *    COLLATERAL_UNAVAILABLE when the PCCS cannot be used);
 * 2. report_data equals the binding of the nonce and the recipient key (REPORT_DATA_MISMATCH);
 * 3. the nonce is one this KMS issued, unused and unexpired (NONCE_UNKNOWN / _REUSED / _EXPIRED);
 *    it is consumed here, so a refused request still burns its nonce;
 * 4. the event log replays to RTMR3 and names app-id, compose-hash and instance-id once (EVENT_LOG_*).
 *
 * Steps 1, 2 and 4 are computed in a release worker (`checkAttestation`, one round trip);
 * step 3 needs the nonce store, which lives here on the main thread. So the worker's
 * outcome is applied in order: its step 1-2 refusal first (nonce untouched), then the
 * nonce, then its step-4 result. What the agent sees is exactly the in-process order.
 */
export type AttestRequest = (input: AttestationInput) => Promise<Exclude<AttestationOutcome, { kind: "need-collateral" }>>;

export interface AttestedRequestVerifierOptions {
  /** Runs `checkAttestation` (in a release worker, with collateral from the main thread). */
  attest: AttestRequest;
  nonces: NonceStore;
}

export interface VerifiedAttestedRequest {
  quote: AttestedQuote;
  events: AttestedEvents;
}

export type AttestedRequestVerifier = (request: AttestationInput) => Promise<VerifiedAttestedRequest>;

const NONCE_REFUSALS = {
  unknown: ["NONCE_UNKNOWN", "the nonce was not issued by this KMS, or was forgotten"],
  expired: ["NONCE_EXPIRED", "the nonce has expired; get a new challenge"],
  reused: ["NONCE_REUSED", "the nonce was already used"],
} as const;

export function createAttestedRequestVerifier(options: AttestedRequestVerifierOptions): AttestedRequestVerifier {
  return async (request) => {
    const outcome = await options.attest(request);
    if (outcome.kind === "refused") throw reviveError(outcome.error);

    const consumed = options.nonces.consume(request.nonce);
    if (consumed !== "ok") {
      const [code, message] = NONCE_REFUSALS[consumed];
      throw new KmsError(code, message);
    }

    if (!outcome.eventLog.ok) throw reviveError(outcome.eventLog.error);
    return { quote: outcome.quote, events: outcome.eventLog.events };
  };
}

/** dstack's app id is 20 bytes (the AppRegistry's bytes20); anything else cannot name an app. */
export function assertAppIdLength(events: AttestedEvents): void {
  if (events.appId.length !== 20) {
    throw new AttestationError("EVENT_LOG_MALFORMED", `app-id event payload must be 20 bytes, got ${events.appId.length}`);
  }
  if (events.instanceId.length > 256) {
    throw new AttestationError("EVENT_LOG_MALFORMED", `instance-id event payload must be at most 256 bytes, got ${events.instanceId.length}`);
  }
}

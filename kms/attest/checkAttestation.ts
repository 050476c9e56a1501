import { tryFromHex } from "../../core/bytes";
import type { Collateral } from "../../core/attestation/collateral/collateral";
import { parseEventLog, verifyEventLog } from "../../core/attestation/eventlog";
import { parseQuote } from "../../core/attestation/quote";
import type { ParsedQuote, TcbStatus } from "../../core/attestation/types";
import { type QuoteVerifierCache, verifyQuote } from "../../core/attestation/verifyQuote";
import { assertReportData, keyRequestReportData, onboardingReportData } from "../../core/crypto/keyRequestBinding";
import { sha256 } from "../../core/hash";
import { KmsError } from "../errors";
import { MAX_QUOTE_BYTES } from "../schemas";
import { type TransferredError, transferError } from "../workers/transferredError";
import type { PckPlatform } from "./pckPlatform";

/**
 * The stateless, CPU-heavy part of docs/protocol.md steps 1, 2 and 4, as one pure function
 * (it runs in a release worker). It computes, but does not order, the refusals: step 3 (the
 * nonce) needs the main thread's nonce store and sits between 2 and 4, so the outcome keeps
 * the event-log result apart and `verifyAttestedRequest` applies everything in protocol
 * order. A quote that fails step 1 or 2 never has its event log looked at, as before.
 *
 * 0. the quote is 1 to MAX_QUOTE_BYTES bytes of whole-byte hex (REQUEST_MALFORMED; the schema
 *    only types it, see kms/schemas.ts);
 * 1. the quote parses (QUOTE_*), its PCK leaf names a platform (CERT_*, PCK_EXTENSION_MALFORMED),
 *    and it verifies against that platform's collateral (every verifyQuote code). Without
 *    collateral for the platform, the outcome asks for it (`need-collateral`);
 * 2. report_data binds the nonce and the recipient key (REPORT_DATA_MISMATCH);
 * 4. the event log replays to RTMR3 and names app-id, compose-hash and instance-id once.
 */
export type ReportDataBinding = "key-request" | "onboarding";

const BINDINGS: Record<ReportDataBinding, { expected: (nonce: Uint8Array, key: Uint8Array) => Uint8Array; purpose: string }> = {
  "key-request": { expected: keyRequestReportData, purpose: "key-request nonce and agent key" },
  onboarding: { expected: onboardingReportData, purpose: "onboarding nonce and KMS key" },
};

export interface AttestationInput {
  /** The request's `quote` field as received: hex, optionally `0x`-prefixed. */
  quoteHex: string;
  eventLog: unknown;
  nonce: Uint8Array;
  /** The X25519 key the answer will be sealed to, bound by report_data. */
  recipientPublicKey: Uint8Array;
  binding: ReportDataBinding;
}

export interface AttestationContext {
  platformOf: (quote: ParsedQuote) => PckPlatform;
  /** The collateral held for a platform, or undefined to ask the main thread for it. */
  collateralFor: (platform: PckPlatform) => Collateral | undefined;
  /** Unix seconds. */
  now: number;
  /** One array object for the worker's lifetime (the verifier caches per array). */
  trustedRoots: readonly Uint8Array[];
  cache: QuoteVerifierCache;
}

/** What the KMS uses of a verified quote: public facts only. */
export interface AttestedQuote {
  status: TcbStatus;
  advisoryIds: string[];
  platformHash: Uint8Array;
  /** SHA-256 of the quote without trailing padding (the leaf's `quoteSha256`). */
  quoteSha256: Uint8Array;
}

export interface AttestedEvents {
  appId: Uint8Array;
  composeHash: Uint8Array;
  instanceId: Uint8Array;
}

export type EventLogResult = { ok: true; events: AttestedEvents } | { ok: false; error: TransferredError };

export type AttestationOutcome =
  | { kind: "need-collateral"; platform: PckPlatform }
  /** Step 0, 1 or 2 refused: the nonce is not consumed. */
  | { kind: "refused"; error: TransferredError }
  /** Steps 1 and 2 passed; step 4's result waits until the nonce is consumed. */
  | { kind: "attested"; quote: AttestedQuote; eventLog: EventLogResult };

export function checkAttestation(input: AttestationInput, context: AttestationContext): AttestationOutcome {
  let parsed: ParsedQuote;
  let quote: AttestedQuote;
  try {
    const bytes = decodeQuote(input.quoteHex);
    parsed = parseQuote(bytes);
    const platform = context.platformOf(parsed);
    const collateral = context.collateralFor(platform);
    if (!collateral) return { kind: "need-collateral", platform };
    const verification = verifyQuote({ quote: parsed, collateral, now: context.now, trustedRoots: context.trustedRoots, cache: context.cache });
    const binding = BINDINGS[input.binding];
    assertReportData(parsed.body.reportData, binding.expected(input.nonce, input.recipientPublicKey), binding.purpose);
    quote = {
      status: verification.status,
      advisoryIds: verification.advisoryIds,
      platformHash: verification.platformHash,
      quoteSha256: sha256(parsed.quoteBytes),
    };
  } catch (error) {
    return { kind: "refused", error: transferError(error) };
  }
  return { kind: "attested", quote, eventLog: checkEventLog(input.eventLog, parsed) };
}

function decodeQuote(quoteHex: string): Uint8Array {
  const tooLong = () => new KmsError("REQUEST_MALFORMED", `request does not match the schema: body/quote must be at most ${MAX_QUOTE_BYTES} bytes`);
  if (quoteHex.length > 2 * MAX_QUOTE_BYTES + 2) throw tooLong(); // before decoding it
  const bytes = tryFromHex(quoteHex);
  if (!bytes || bytes.length === 0) throw new KmsError("REQUEST_MALFORMED", "request does not match the schema: body/quote must be whole-byte hex");
  if (bytes.length > MAX_QUOTE_BYTES) throw tooLong();
  return bytes;
}

function checkEventLog(eventLog: unknown, quote: ParsedQuote): EventLogResult {
  try {
    const { appId, composeHash, instanceId } = verifyEventLog(parseEventLog(eventLog), quote.body);
    return { ok: true, events: { appId, composeHash, instanceId } };
  } catch (error) {
    return { ok: false, error: transferError(error) };
  }
}

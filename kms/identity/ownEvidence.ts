import { fromHex, toHex } from "../../core/bytes";
import { parseEventLog, verifyEventLog } from "../../core/attestation/eventlog";
import { kmsMeasurement } from "../../core/attestation/kmsMeasurement";
import { platformHash } from "../../core/attestation/platformHash";
import { parseQuote } from "../../core/attestation/quote";
import { kmsIdentityReportData } from "../../core/crypto/keyRequestBinding";
import { sha256 } from "../../core/hash";
import type { KmsIdentity } from "./kmsIdentity";
import type { OwnAttestation } from "./ownAttestation";

/**
 * The KMS's public evidence for `/health`: its own quote with
 * report_data = kmsIdentityReportData(identity address), its RTMR3 event log, and the KMS
 * measurement they replay to (what governance allows and registers with the identity).
 * Taken once at start-up: the identity and the measurements do not change while it runs.
 */
export interface OwnEvidence {
  address: `0x${string}`;
  identityStorage: string;
  quote: string;
  quoteSha256: string;
  reportData: string;
  eventLog: unknown[];
  /** Null when the event log does not replay to the quote's RTMR3 (then governance cannot register it). */
  measurement: string | null;
  quoteSource: OwnAttestation["kind"];
}

export async function collectOwnEvidence(attestation: OwnAttestation, identity: KmsIdentity): Promise<OwnEvidence> {
  const reportData = kmsIdentityReportData(fromHex(identity.address));
  const quote = await attestation.quote(reportData);
  const eventLog = attestation.eventLog();
  return {
    address: identity.address,
    identityStorage: identity.storage,
    quote: toHex(quote),
    quoteSha256: toHex(sha256(quote)),
    reportData: toHex(reportData),
    eventLog,
    measurement: measurementOf(quote, eventLog),
    quoteSource: attestation.kind,
  };
}

function measurementOf(quote: Uint8Array, eventLog: unknown[]): string | null {
  try {
    const parsed = parseQuote(quote);
    const events = verifyEventLog(parseEventLog(eventLog), parsed.body);
    return toHex(kmsMeasurement(platformHash(parsed.body), events.composeHash));
  } catch {
    return null;
  }
}

import { sha256 } from "../hash";
import { concatBytes } from "../bytes";
import { AttestationError } from "./errors";
import type { TdReport } from "./types";

const MEASUREMENT_SIZE = 48;

/**
 * The TD platform measurement that governance allows on chain:
 * `platformHash = SHA-256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2)` (firmware, kernel, command line;
 * RTMR3 is the app's and is checked through the event log instead). The KMS, the release
 * log and the auditor all compute it here.
 */
export function platformHash(body: Pick<TdReport, "mrTd" | "rtmr0" | "rtmr1" | "rtmr2">): Uint8Array {
  const parts = [body.mrTd, body.rtmr0, body.rtmr1, body.rtmr2];
  for (const part of parts) {
    if (!(part instanceof Uint8Array) || part.length !== MEASUREMENT_SIZE) {
      throw new AttestationError("QUOTE_MALFORMED", `platform measurements must be ${MEASUREMENT_SIZE} bytes each`);
    }
  }
  return sha256(concatBytes(...parts));
}

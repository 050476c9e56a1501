import { concatBytes } from "../bytes";
import { sha256 } from "../hash";
import { AttestationError } from "./errors";

const HASH_SIZE = 32;

/**
 * The measurement of a KMS instance, as `PlatformPolicy.isKmsMeasurementAllowed` and
 * `registerKmsIdentity` name it: `kmsMeasurement = SHA-256(platformHash ‖ composeHash)`.
 *
 * `platformHash` (core/attestation/platformHash.ts) pins the TD's firmware, kernel and
 * command line; `composeHash` is the KMS VM's own `compose-hash` RTMR3 event, which pins
 * the KMS software. Together they say "this KMS code on this platform", so governance
 * allows one value, and a KMS that joins by onboarding, or registers an identity, must
 * present a quote and event log that replay to it. The KMS, the joining KMS and the
 * auditor all compute it here.
 */
export function kmsMeasurement(platformHash: Uint8Array, composeHash: Uint8Array): Uint8Array {
  for (const [name, value] of [
    ["platformHash", platformHash],
    ["composeHash", composeHash],
  ] as const) {
    if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
      throw new AttestationError("QUOTE_MALFORMED", `${name} must be ${HASH_SIZE} bytes for a KMS measurement`);
    }
  }
  return sha256(concatBytes(platformHash, composeHash));
}

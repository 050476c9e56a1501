import { createHash } from "node:crypto";
import { utf8 } from "../../core/bytes";
import { canonicalJson } from "../../core/jcs";
import { sha256 } from "../../core/hash";
import { AgentError } from "../errors";
import type { AgentHealthClaims } from "./evidenceSchema";

export type { AgentHealthClaims };

/**
 * report_data of the quote an agent serves at `/health`:
 *
 *     reportData = SHA-512("basekms/agent-health/v1" ‖ SHA-256(JCS(claims)) ‖ nonce)
 *
 * `claims` is the JSON object the endpoint returns beside the quote (provider, taint, app id,
 * compose hash, instance id), so a verifier recomputes this from the response alone. The
 * label differs from every label in core/crypto/keyRequestBinding.ts, so a health quote can
 * never pass as a key-request quote. `nonce` (0..64 bytes, chosen by the verifier) makes the
 * quote fresh; it comes last, after a fixed-width digest, so the encoding is unambiguous.
 */
export const AGENT_HEALTH_LABEL = "basekms/agent-health/v1";
export const MAX_HEALTH_NONCE_LENGTH = 64;

export function agentHealthReportData(claims: AgentHealthClaims, nonce: Uint8Array): Uint8Array {
  if (!(nonce instanceof Uint8Array) || nonce.length > MAX_HEALTH_NONCE_LENGTH) {
    throw new AgentError("INPUT_INVALID", `health nonce must be at most ${MAX_HEALTH_NONCE_LENGTH} bytes`);
  }
  const claimsDigest = sha256(utf8(canonicalJson(claims)));
  return new Uint8Array(createHash("sha512").update(utf8(AGENT_HEALTH_LABEL)).update(claimsDigest).update(nonce).digest());
}

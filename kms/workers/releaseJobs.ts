import type { Collateral } from "../../core/attestation/collateral/collateral";
import { QuoteVerifierCache } from "../../core/attestation/verifyQuote";
import { type SealedEnvelope, sealToAgent } from "../../core/crypto/hpke";
import { type AttestationInput, type AttestationOutcome, checkAttestation } from "../attest/checkAttestation";
import type { CollateralGrant } from "../attest/collateralSource";
import { createPckPlatformReader, pckPlatformKey } from "../attest/pckPlatform";
import type { KmsNetwork } from "../config";
import { trustedRootsFor } from "../trustedRoots";
import type { JobAnswer } from "./serveJobs";

/**
 * The jobs a release worker runs, and the worker-side handler. Both are stateless apart
 * from caches: quote verification (`checkAttestation`: steps 1, 2 and 4) and the HPKE seal
 * of a derived key. Nonces, policy, the log and signing stay on the main thread.
 *
 * Collateral: the worker keeps each grant the main thread sent until the grant's
 * `nextUpdate` (the main cache's refetch time) and then asks again, so verification uses
 * the same collateral the main thread's cache would have handed out.
 *
 * Secrets: a seal job carries one derived disk key, moved (not copied) into the worker; the
 * worker zeroes it after sealing and never logs. The root secret never enters a worker.
 */
export type ReleaseJob =
  | ({ kind: "attest"; collateral?: CollateralGrant } & AttestationInput)
  | { kind: "seal"; recipientPublicKey: Uint8Array; plaintext: Uint8Array; info: Uint8Array };

export type ReleaseJobResult = AttestationOutcome | SealedEnvelope;

export interface ReleaseWorkerData {
  network: KmsNetwork;
}

/** Collateral grants kept per worker; one per platform the KMS serves, bounded against churn. */
const MAX_GRANTS = 64;

export function createReleaseJobHandler(data: ReleaseWorkerData, now: () => number = () => Math.floor(Date.now() / 1000)) {
  const trustedRoots = trustedRootsFor(data.network);
  const cache = new QuoteVerifierCache();
  const platformOf = createPckPlatformReader();
  const grants = new Map<string, { collateral: Collateral; nextUpdate: number }>();

  const attest = (job: Extract<ReleaseJob, { kind: "attest" }>): AttestationOutcome => {
    const at = now();
    const granted = job.collateral;
    if (granted) {
      if (grants.size >= MAX_GRANTS) grants.clear();
      grants.set(pckPlatformKey(granted.platform), { collateral: granted.collateral, nextUpdate: granted.nextUpdate });
    }
    return checkAttestation(job, {
      platformOf,
      collateralFor: (platform) => {
        // A grant sent with this very job is used even at its nextUpdate, as the main cache's answer would be.
        if (granted && pckPlatformKey(granted.platform) === pckPlatformKey(platform)) return granted.collateral;
        const held = grants.get(pckPlatformKey(platform));
        return held && at <= held.nextUpdate ? held.collateral : undefined;
      },
      now: at,
      trustedRoots,
      cache,
    });
  };

  const seal = async (job: Extract<ReleaseJob, { kind: "seal" }>): Promise<JobAnswer<SealedEnvelope>> => {
    try {
      const sealed = await sealToAgent(job.recipientPublicKey, job.plaintext, job.info);
      return { response: sealed, transfer: [sealed.enc.buffer as ArrayBuffer, sealed.ciphertext.buffer as ArrayBuffer] };
    } finally {
      job.plaintext.fill(0);
    }
  };

  return async (job: ReleaseJob): Promise<JobAnswer<ReleaseJobResult>> => {
    if (job.kind === "attest") return { response: attest(job) };
    return seal(job);
  };
}

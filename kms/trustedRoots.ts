import { loadIntelSgxRootCa } from "../core/attestation/pki/intelRoot";
import { DEV_ROOT_DER_SHA256, devRootDer, rootDerSha256 } from "../core/attestation/simulator/devPki";
import type { KmsNetwork } from "./config";
import { KmsError } from "./errors";

/**
 * The trust anchors of a network, built once at start-up. The verifier caches chains per
 * root-array object, so the KMS must pass this same array to every `verifyQuote` call.
 * - sealed: Intel's SGX Root CA only (pinned, embedded);
 * - sandbox: Intel's root and the simulator's development root (pinned by its SHA-256).
 */
export function trustedRootsFor(network: KmsNetwork): readonly Uint8Array[] {
  const roots = [loadIntelSgxRootCa()];
  if (network === "sandbox") {
    const devRoot = devRootDer();
    if (rootDerSha256(devRoot) !== DEV_ROOT_DER_SHA256) {
      throw new KmsError("INTERNAL_ERROR", "the development root does not match its pinned SHA-256");
    }
    roots.push(devRoot);
  }
  return Object.freeze(roots);
}

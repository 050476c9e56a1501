import path from "node:path";
import type { Address } from "viem";
import type { KmsConfig } from "./config";
import type { OwnAttestation } from "./identity/ownAttestation";
import { joinFromPeer } from "./onboard/joinFromPeer";
import {
  checkGenesisDataDir,
  createSandboxSecretFile,
  loadOrCreateRootSecret,
  readSandboxSecretFile,
  type SealedSecretStore,
  type SecretLog,
} from "./secrets";

/**
 * Where this KMS's root secret comes from at start-up:
 * - `--onboard-from <url>`: attested onboarding from a running KMS (sandbox: then kept in
 *   `<dataDir>/root-secret` like a generated one; if that file already exists, it is used
 *   and onboarding is skipped). Sealed: held in memory only.
 * - otherwise `loadOrCreateRootSecret` (sandbox: the 0600 file; sealed: genesis only with
 *   `--genesis`, else ROOT_SECRET_UNAVAILABLE). Sealed `--genesis` first checks that no KMS used
 *   the data directory before (GENESIS_OVER_EXISTING_STATE), before any secret or store exists.
 */
export interface ObtainedRootSecret {
  rootSecret: Uint8Array;
  storage: "sandbox-file" | "sealed" | "memory-only";
  origin: "loaded" | "created" | "onboarded";
}

export const ROOT_SECRET_FILE = "root-secret";

export async function obtainRootSecret(parameters: {
  config: Pick<KmsConfig, "network" | "dataDir" | "onboardFrom" | "genesis" | "chainId" | "deployment">;
  log: SecretLog;
  /** Needed only to onboard: builds this KMS's attestation (sandbox: after its identity exists). */
  attestation: () => Promise<OwnAttestation>;
  joinerAddress?: Address;
  isKmsIdentity: (kms: Address) => Promise<boolean>;
  /** Sealed: where the secret is kept; the TDX store by default (tests pass one that acts as a TD). */
  sealedStore?: SealedSecretStore;
}): Promise<ObtainedRootSecret> {
  const { config, log } = parameters;
  const file = path.join(config.dataDir, ROOT_SECRET_FILE);
  if (!config.onboardFrom) {
    if (config.network === "sealed" && config.genesis) checkGenesisDataDir(config.dataDir);
    const loaded = await loadOrCreateRootSecret({
      mode: config.network,
      file,
      log,
      sealedGenesis: config.genesis,
      ...(parameters.sealedStore ? { sealedStore: parameters.sealedStore } : {}),
    });
    return { rootSecret: loaded.rootSecret, storage: loaded.storage, origin: loaded.origin };
  }
  if (config.network === "sandbox") {
    const existing = readSandboxSecretFile(file);
    if (existing) {
      log.warn({ file, peer: config.onboardFrom }, "sandbox KMS already holds a root secret; onboarding skipped");
      return { rootSecret: existing, storage: "sandbox-file", origin: "loaded" };
    }
  }
  const joined = await joinFromPeer({
    peerUrl: config.onboardFrom,
    attestation: await parameters.attestation(),
    ...(parameters.joinerAddress ? { kmsAddress: parameters.joinerAddress } : {}),
    chainId: config.chainId,
    platformPolicy: config.deployment.contracts.PlatformPolicy.address as Address,
    isKmsIdentity: parameters.isKmsIdentity,
  });
  log.warn({ peer: joined.peer, logIndex: joined.logIndex }, "root secret received by attested onboarding");
  if (config.network === "sealed") return { rootSecret: joined.rootSecret, storage: "memory-only", origin: "onboarded" };
  if (createSandboxSecretFile(file, joined.rootSecret) === "exists") {
    const theirs = readSandboxSecretFile(file);
    if (theirs) return { rootSecret: theirs, storage: "sandbox-file", origin: "loaded" };
  }
  log.warn({ file, fileMode: "0600" }, "sandbox KMS: the onboarded root secret is kept in a plain file on disk; never use this in production");
  return { rootSecret: joined.rootSecret, storage: "sandbox-file", origin: "onboarded" };
}

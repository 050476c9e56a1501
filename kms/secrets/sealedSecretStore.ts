import { existsSync } from "node:fs";
import { SecretError } from "./errors";

/**
 * Where a sealed-mode KMS keeps its root secret. The contract: the secret is never written
 * in the clear. On a real TDX VM an implementation would seal it to the TD's measurement
 * (a TDX-bound sealing key) so that only the same code on the same platform can unseal it.
 */
export interface SealedSecretStore {
  /** A short name for logs and /health, e.g. "tdx-memory-only". */
  readonly kind: string;
  /** The stored secret, or undefined when nothing is stored. */
  load(): Promise<Uint8Array | undefined>;
  /** Stores the secret sealed; "memory-only" when this store cannot persist it at all. */
  save(secret: Uint8Array): Promise<"persisted" | "memory-only">;
}

export interface TdxSealedSecretStoreOptions {
  /** The TDX guest device; its presence is what tells us we run inside a TD. */
  devicePath?: string;
  deviceExists?: (path: string) => boolean;
}

export const TDX_GUEST_DEVICE = "/dev/tdx_guest";

/**
 * The default sealed store. Refuses to exist outside a TD (`SEALED_STORAGE_UNAVAILABLE`).
 *
 * Inside a TD it persists nothing: no TDX-bound sealing key is available to this code yet
 * (future work), so the secret lives only in the KMS's memory. Persistence in sealed mode
 * comes from redundancy: a restarted KMS gets the secret back by attested onboarding from
 * another KMS (`POST /v1/onboard`), which is logged.
 */
export function createTdxSealedSecretStore(options: TdxSealedSecretStoreOptions = {}): SealedSecretStore {
  const devicePath = options.devicePath ?? TDX_GUEST_DEVICE;
  const deviceExists = options.deviceExists ?? existsSync;
  if (!deviceExists(devicePath)) {
    throw new SecretError(
      "SEALED_STORAGE_UNAVAILABLE",
      `sealed mode needs a TDX guest (${devicePath} is absent); use sandbox mode outside a TD`,
    );
  }
  return {
    kind: "tdx-memory-only",
    load: async () => undefined,
    save: async () => "memory-only",
  };
}

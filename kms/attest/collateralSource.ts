import type { Collateral } from "../../core/attestation/collateral/collateral";
import { CollateralCache } from "../../core/attestation/collateral/collateralCache";
import type { FetchFunction } from "../../core/attestation/collateral/httpGet";
import { fetchCollateral } from "../../core/attestation/collateral/pccs";
import { AttestationError } from "../../core/attestation/errors";
import type { PckPlatform } from "./pckPlatform";

/**
 * Collateral for a platform, from the configured PCCS, cached per (FMSPC, PCK CA) until its
 * `nextUpdate` (memory, plus byte-exact files under `directory` that survive restarts).
 * A PCCS that cannot be reached, or that serves something unusable, is
 * `COLLATERAL_UNAVAILABLE` (503): the agent's quote is not at fault, so it may retry.
 *
 * It runs on the main thread; the release workers keep a copy of each grant until its
 * `nextUpdate` and ask again after it (kms/workers/releaseWorkers.ts), so the PCCS still
 * sees one fetch per platform per collateral lifetime.
 */
export interface CollateralGrant {
  platform: PckPlatform;
  collateral: Collateral;
  /** Unix seconds after which the cache refetches (the earliest nextUpdate); 0 when unknown. */
  nextUpdate: number;
}

export interface CollateralSource {
  collateralFor(platform: PckPlatform): Promise<CollateralGrant>;
}

export interface CollateralSourceOptions {
  pccsUrl: string;
  /** The root CA CRL's own URL (default: the PCCS's `/sgx/certification/v4/rootcacrl`). */
  rootCaCrlUrl?: string;
  directory?: string;
  /** Unix seconds. */
  now?: () => number;
  fetch?: FetchFunction;
  timeoutMs?: number;
}

export function createCollateralSource(options: CollateralSourceOptions): CollateralSource {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const cache = new CollateralCache({
    now,
    ...(options.directory ? { directory: options.directory } : {}),
    fetchCollateral: ({ fmspc, caType }) =>
      fetchCollateral({
        baseUrl: options.pccsUrl,
        ...(options.rootCaCrlUrl ? { rootCaCrlUrl: options.rootCaCrlUrl } : {}),
        fmspc,
        caType,
        now: now(),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      }),
  });

  return {
    collateralFor: async (platform) => {
      try {
        const collateral = await cache.get(platform.fmspc, platform.caType);
        return { platform, collateral, nextUpdate: cache.nextUpdateOf(platform.fmspc, platform.caType) ?? 0 };
      } catch (error) {
        if (error instanceof AttestationError && error.code === "COLLATERAL_UNAVAILABLE") throw error;
        const detail = error instanceof Error ? `: ${error.message}` : "";
        throw new AttestationError("COLLATERAL_UNAVAILABLE", `the PCCS did not provide usable collateral${detail}`, { cause: error });
      }
    },
  };
}

import type { Collateral } from "../../core/attestation/collateral/collateral";
import { CollateralCache } from "../../core/attestation/collateral/collateralCache";
import type { FetchFunction } from "../../core/attestation/collateral/httpGet";
import { type PckCaType, fetchCollateral } from "../../core/attestation/collateral/pccs";
import { AttestationError } from "../../core/attestation/errors";
import { parseCertificate, sgxExtensionOf, splitPemChain } from "../../core/attestation/pki";
import type { ParsedQuote } from "../../core/attestation/types";

/**
 * Collateral for a quote, from the configured PCCS, cached per (FMSPC, PCK CA) until its
 * `nextUpdate` (memory, plus byte-exact files under `directory` that survive restarts).
 * A PCCS that cannot be reached, or that serves something unusable, is
 * `COLLATERAL_UNAVAILABLE` (503): the agent's quote is not at fault, so it may retry.
 */
export interface CollateralSource {
  collateralFor(quote: ParsedQuote): Promise<Collateral>;
}

export interface CollateralSourceOptions {
  pccsUrl: string;
  directory?: string;
  /** Unix seconds. */
  now?: () => number;
  fetch?: FetchFunction;
  timeoutMs?: number;
}

/** The PCK chains the KMS has seen, most are one per machine; bounded against hostile input. */
const MAX_REMEMBERED_CHAINS = 1024;

export function createCollateralSource(options: CollateralSourceOptions): CollateralSource {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const cache = new CollateralCache({
    now,
    ...(options.directory ? { directory: options.directory } : {}),
    fetchCollateral: ({ fmspc, caType }) =>
      fetchCollateral({
        baseUrl: options.pccsUrl,
        fmspc,
        caType,
        now: now(),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      }),
  });
  const platforms = new Map<string, { fmspc: Uint8Array; caType: PckCaType }>();

  /** FMSPC and CA from the quote's PCK leaf; refusals here are the quote's (CERT_*, PCK_EXTENSION_MALFORMED). */
  const platformOf = (quote: ParsedQuote) => {
    const known = platforms.get(quote.pckChainPem);
    if (known) return known;
    const leafDer = splitPemChain(quote.pckChainPem)[0];
    if (!leafDer) throw new AttestationError("CERT_MALFORMED", "the quote carries no PCK certificate");
    const leaf = parseCertificate(leafDer);
    const platform = {
      fmspc: sgxExtensionOf(leaf).fmspc,
      caType: (/Processor/i.test(leaf.issuerCommonName ?? "") ? "processor" : "platform") as PckCaType,
    };
    if (platforms.size >= MAX_REMEMBERED_CHAINS) platforms.clear();
    platforms.set(quote.pckChainPem, platform);
    return platform;
  };

  return {
    collateralFor: async (quote) => {
      const { fmspc, caType } = platformOf(quote);
      try {
        return await cache.get(fmspc, caType);
      } catch (error) {
        if (error instanceof AttestationError && error.code === "COLLATERAL_UNAVAILABLE") throw error;
        const detail = error instanceof Error ? `: ${error.message}` : "";
        throw new AttestationError("COLLATERAL_UNAVAILABLE", `the PCCS did not provide usable collateral${detail}`, { cause: error });
      }
    },
  };
}

import { toHex } from "../../core/bytes";
import type { PckCaType } from "../../core/attestation/collateral/pccs";
import { AttestationError } from "../../core/attestation/errors";
import { parseCertificate, sgxExtensionOf, splitPemChain } from "../../core/attestation/pki";
import type { ParsedQuote } from "../../core/attestation/types";

/**
 * The platform a quote's collateral belongs to: the FMSPC and the issuing PCK CA, read from
 * the PCK leaf certificate the quote carries. Refusals here are the quote's
 * (CERT_MALFORMED, PCK_EXTENSION_MALFORMED), found before any collateral is fetched.
 */
export interface PckPlatform {
  fmspc: Uint8Array;
  caType: PckCaType;
}

/** `<fmspc hex>-<ca>`: the collateral cache's key for a platform. */
export function pckPlatformKey(platform: PckPlatform): string {
  return `${toHex(platform.fmspc)}-${platform.caType}`;
}

/** The PCK chains a KMS sees are mostly one per machine; the bound is against hostile input. */
const MAX_REMEMBERED_CHAINS = 1024;

/** `quote → PckPlatform`, memoised by the quote's exact PCK chain text. */
export function createPckPlatformReader(): (quote: ParsedQuote) => PckPlatform {
  const platforms = new Map<string, PckPlatform>();
  return (quote) => {
    const known = platforms.get(quote.pckChainPem);
    if (known) return known;
    const leafDer = splitPemChain(quote.pckChainPem)[0];
    if (!leafDer) throw new AttestationError("CERT_MALFORMED", "the quote carries no PCK certificate");
    const leaf = parseCertificate(leafDer);
    const platform: PckPlatform = {
      fmspc: sgxExtensionOf(leaf).fmspc,
      caType: /Processor/i.test(leaf.issuerCommonName ?? "") ? "processor" : "platform",
    };
    if (platforms.size >= MAX_REMEMBERED_CHAINS) platforms.clear();
    platforms.set(quote.pckChainPem, platform);
    return platform;
  };
}

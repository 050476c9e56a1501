import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../core/bytes";
import { AttestationError } from "../../core/attestation/errors";
import { readVectorBytes } from "../helpers/collateralVectors";
import { createCollateralSource } from "../../kms/attest/collateralSource";
import { GO_TDX_GUEST_FMSPC_HEX, ROOT_CRL_FILE_PATH, ROOT_CRL_PATH, startSplitRootCrlPccs } from "../attestation/collateral/fakePccs";

/**
 * The KMS's collateral source against PCCSs on loopback serving go-tdx-guest's real PCS
 * pieces: where the root CA CRL comes from (`BASEKMS_ROOT_CA_CRL_URL`, docs/operations.md §5).
 */
const S6_NOW = 1688173200; // go-tdx-guest's own verification time
const platform = { fmspc: fromHex(GO_TDX_GUEST_FMSPC_HEX), caType: "platform" as const };

let collateral: Awaited<ReturnType<typeof startSplitRootCrlPccs>>;
beforeEach(async () => {
  // Like Intel's PCS: no rootcacrl path on the collateral service; the CRL (DER) elsewhere.
  collateral = await startSplitRootCrlPccs();
});
afterEach(async () => {
  await collateral.close();
});

describe("createCollateralSource", () => {
  it("fetches the root CA CRL from rootCaCrlUrl and everything else from the PCCS", async () => {
    const { pccs, crlHost, rootCaCrlUrl } = collateral;
    const source = createCollateralSource({ pccsUrl: pccs.baseUrl, rootCaCrlUrl, now: () => S6_NOW });
    const grant = await source.collateralFor(platform);
    expect(toHex(grant.collateral.rootCaCrlDer)).toBe(toHex(readVectorBytes("go-tdx-guest/rootcrl.der")));
    expect(crlHost.requests).toEqual([ROOT_CRL_FILE_PATH]);
    expect(pccs.requests.some((request) => request.startsWith(ROOT_CRL_PATH))).toBe(false);
    expect(pccs.requests).toHaveLength(3); // TCB Info, QE Identity, PCK CRL
  });

  it("without rootCaCrlUrl asks the PCCS's rootcacrl path, and a PCCS without it is COLLATERAL_UNAVAILABLE", async () => {
    const { pccs, crlHost } = collateral;
    const source = createCollateralSource({ pccsUrl: pccs.baseUrl, now: () => S6_NOW });
    await expect(source.collateralFor(platform)).rejects.toSatisfy((error: unknown) => error instanceof AttestationError && error.code === "COLLATERAL_UNAVAILABLE");
    expect(pccs.requests).toContain(ROOT_CRL_PATH);
    expect(crlHost.requests).toEqual([]);
  });
});

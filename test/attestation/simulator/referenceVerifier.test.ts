import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { QuoteVerifier, verify as verifyWithIntelRoot } from "@phala/dcap-qvl";
import { fromHex } from "../../../core/bytes";
import type { CollateralJson } from "../../../core/attestation/types";
import { issueCollateral } from "../../../core/attestation/simulator/collateral";
import { createDevPki } from "../../../core/attestation/simulator/devPki";
import { defaultTcbLevels } from "../../../core/attestation/simulator/tcbInfo";
import { TdxSimulator } from "../../../core/attestation/simulator/tdxSimulator";
import { VECTORS } from "./helpers";

/**
 * Interop: an independent verifier (@phala/dcap-qvl 0.3.9, a port of Phala's Rust dcap-qvl)
 * must accept simulator output under the dev root exactly as it accepts Intel's output under
 * Intel's root, and must refuse it under Intel's root. This is what "genuine format" means.
 */

const NOW = Date.UTC(2026, 5, 1) / 1000;
const DAY = 86_400;
const simulator = new TdxSimulator();
simulator.extendRtmr3("app-id", fromHex("11".repeat(20)));
const quote = simulator.getQuote(new Uint8Array(64).fill(7));
const collateral = simulator.collateral(NOW);
const devVerifier = QuoteVerifier.newWithRootCa(Buffer.from(simulator.pki.root.der));
const verifyDev = (rawQuote: Uint8Array, withCollateral: CollateralJson, now = NOW) =>
  devVerifier.verify(rawQuote, withCollateral, now);

describe("simulator output under an independent verifier", () => {
  it("verifies UpToDate with no advisories under the dev root", () => {
    const result = verifyDev(quote, collateral);
    expect(result.status).toBe("UpToDate");
    expect(result.advisory_ids).toEqual([]);
    // (dcap-qvl 0.3.9 returns an empty `ppid` for real Intel quotes too, so it is not compared here.)
  });

  it("is refused under Intel's root: a sealed verifier can never accept a simulator quote", () => {
    expect(() => verifyWithIntelRoot(quote, collateral, NOW)).toThrow();
  });

  it("refuses a real Intel quote under the dev root", () => {
    const intelQuote = readFileSync(join(VECTORS, "dcap-qvl/tdx_quote"));
    const intelCollateral = JSON.parse(readFileSync(join(VECTORS, "dcap-qvl/tdx_quote_collateral.json"), "utf8"));
    expect(() => devVerifier.verify(intelQuote, intelCollateral, 1752919234)).toThrow();
  });

  it("reports OutOfDate with the level's advisories when collateral describes a newer platform", () => {
    const pki = simulator.pki;
    const newer = defaultTcbLevels({ ...pki.platform, pceSvn: pki.platform.pceSvn + 1 });
    const outdated = issueCollateral(pki, { now: NOW, tcbLevels: newer });
    const result = verifyDev(quote, outdated);
    expect(result.status).toBe("OutOfDate");
    expect(result.advisory_ids).toEqual(["INTEL-SA-00837", "INTEL-SA-00960"]);
  });

  it("refuses a quote whose PCK leaf the PCK CRL revokes", () => {
    const revoked = simulator.collateral(NOW, { revokedPckSerials: [simulator.pki.pckLeaf.serial] });
    expect(() => verifyDev(quote, revoked)).toThrow(/revoked/);
  });

  it("refuses expired TCB Info and not-yet-valid QE Identity", () => {
    const expired = simulator.collateral(NOW, { tcbInfoValidity: { issueDate: NOW - 40 * DAY, nextUpdate: NOW - DAY } });
    expect(() => verifyDev(quote, expired)).toThrow(/TCBInfo expired/);
    const early = simulator.collateral(NOW, { qeIdentityValidity: { issueDate: NOW + DAY, nextUpdate: NOW + 30 * DAY } });
    expect(() => verifyDev(quote, early)).toThrow(/QE Identity issue date is in the future/);
  });

  it("refuses a debug TD", () => {
    const debug = new TdxSimulator({ quoteOverrides: { tdAttributes: fromHex("0100001000000000") } });
    expect(() => verifyDev(debug.getQuote(new Uint8Array(64)), collateral)).toThrow(/Debug mode/);
  });

  it("refuses collateral for another FMSPC", () => {
    const other = simulator.collateral(NOW, { fmspc: fromHex("010203040506") });
    expect(() => verifyDev(quote, other)).toThrow(/Fmspc mismatch/);
  });

  it("refuses collateral signed by another seed's PKI", () => {
    const foreign = issueCollateral(createDevPki({ seed: "someone else" }), { now: NOW });
    expect(() => verifyDev(quote, foreign)).toThrow();
  });

  it("refuses a quote with one flipped body byte", () => {
    const tampered = new Uint8Array(quote);
    tampered[48 + 520] = tampered[48 + 520]! ^ 1;
    expect(() => verifyDev(tampered, collateral)).toThrow(/signature is invalid/i);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex } from "../../core/bytes";
import { fetchCollateral } from "../../core/attestation/collateral/pccs";
import { AttestationError } from "../../core/attestation/errors";
import { type DevPccsServer, startDevPccsServer } from "../../core/attestation/simulator/pccsServer";
import { TdxSimulator } from "../../core/attestation/simulator/tdxSimulator";
import { devRootDer, issueCollateral } from "../../core/attestation/simulator";
import { verifyQuote } from "../../core/attestation/verifyQuote";

/** The dev PCCS: simulator collateral over real HTTP, at the paths and in the shapes `fetchCollateral` reads. */
const NOW = Math.floor(Date.now() / 1000);
let pccs: DevPccsServer;
const machine = new TdxSimulator();

beforeAll(async () => {
  pccs = await startDevPccsServer({ pki: machine.pki, now: () => NOW });
});

afterAll(async () => {
  await pccs?.close();
});

describe("startDevPccsServer", () => {
  it("listens on loopback only", () => {
    expect(pccs.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("serves collateral that fetchCollateral accepts byte for byte and that verifies a simulator quote", async () => {
    const collateral = await fetchCollateral({ baseUrl: pccs.url, fmspc: machine.pki.platform.fmspc, caType: "platform", now: NOW });
    const issued = issueCollateral(machine.pki, { now: NOW });
    expect(collateral.tcbInfoText).toBe(issued.tcb_info);
    expect(collateral.qeIdentityText).toBe(issued.qe_identity);
    expect(Buffer.from(collateral.pckCrlDer).toString("hex")).toBe(issued.pck_crl);
    expect(Buffer.from(collateral.rootCaCrlDer).toString("hex")).toBe(issued.root_ca_crl);
    const result = verifyQuote({ quote: machine.getQuote(new Uint8Array(64)), collateral, now: NOW, trustedRoots: [devRootDer()] });
    expect(result.status).toBe("UpToDate");
  });

  it("answers 404 for another FMSPC, which fetchCollateral reports as COLLATERAL_UNAVAILABLE", async () => {
    await expect(fetchCollateral({ baseUrl: pccs.url, fmspc: fromHex("00906ed50000"), caType: "platform" })).rejects.toSatisfy(
      (error: unknown) => error instanceof AttestationError && error.code === "COLLATERAL_UNAVAILABLE",
    );
  });

  it("answers 503 while set unavailable (COLLATERAL_UNAVAILABLE), and serves again after", async () => {
    pccs.setAvailable(false);
    await expect(fetchCollateral({ baseUrl: pccs.url, fmspc: machine.pki.platform.fmspc, caType: "platform" })).rejects.toSatisfy(
      (error: unknown) => error instanceof AttestationError && error.code === "COLLATERAL_UNAVAILABLE",
    );
    pccs.setAvailable(true);
    await expect(fetchCollateral({ baseUrl: pccs.url, fmspc: machine.pki.platform.fmspc, caType: "platform" })).resolves.toBeDefined();
    expect(pccs.requestCount()).toBeGreaterThanOrEqual(12);
  });
});

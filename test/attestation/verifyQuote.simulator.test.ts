import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../core/bytes";
import { parseCollateralJson, type Collateral } from "../../core/attestation/collateral";
import {
  type BuildQuoteOptions,
  type DevPki,
  type IssueCollateralOptions,
  DEV_FMSPC,
  TdxSimulator,
  buildQuote,
  createDevPki,
  defaultTcbLevels,
  devRootDer,
  issueCollateral,
} from "../../core/attestation/simulator";
import { buildCertificate, pemChain } from "../../core/attestation/simulator/x509";
import { QuoteVerifierCache, verifyQuote } from "../../core/attestation/verifyQuote";
import { expectRefusal } from "../helpers/collateralVectors";
import { QUOTE_SETS, collateralOf, intelRootDer, quoteOf } from "../helpers/quoteSets";

/**
 * The one verifier against the TDX simulator's development PKI: simulator quotes pass only
 * when the development root is trusted, and the simulator produces the refusals no real
 * vector has (debug TDs, revoked certificates and TCB levels, QE identity mismatches, ...).
 */

const NOW = Date.UTC(2026, 5, 1) / 1000;
const DAY = 86_400;
const devRoots = [devRootDer()];
const intelRoots = [intelRootDer()];
const pki = createDevPki();
const reportData = new Uint8Array(64).fill(0x5a);

function simulatorQuote(options: Partial<BuildQuoteOptions> = {}, withPki: DevPki = pki): Uint8Array {
  return buildQuote(withPki, { reportData, ...options });
}

function simulatorCollateral(options: Omit<IssueCollateralOptions, "now"> = {}, withPki: DevPki = pki, now = NOW): Collateral {
  return parseCollateralJson(JSON.stringify(issueCollateral(withPki, { now, ...options })));
}

const collateral = simulatorCollateral();

function verifyWithDevRoot(quote: Uint8Array, withCollateral: Collateral = collateral, extra: { now?: number; eventLog?: unknown; cache?: QuoteVerifierCache } = {}) {
  return verifyQuote({ quote, collateral: withCollateral, now: NOW, trustedRoots: devRoots, ...extra });
}

describe("trust anchors: simulator quotes versus Intel quotes", () => {
  it("verifies a simulator quote UpToDate when the development root is trusted", () => {
    const mrTd = createHash("sha384").update("a dev OS image").digest();
    const result = verifyWithDevRoot(simulatorQuote({ mrTd }));
    expect(result.status).toBe("UpToDate");
    expect(result.advisoryIds).toEqual([]);
    expect(toHex(result.pck.fmspc)).toBe(toHex(DEV_FMSPC));
    expect(toHex(result.quote.body.mrTd)).toBe(mrTd.toString("hex"));
    expect(toHex(result.quote.body.reportData)).toBe(toHex(reportData));
  });

  it("refuses the same quote and collateral when only Intel's root is trusted (CERT_UNTRUSTED_ROOT)", () => {
    expectRefusal(
      () => verifyQuote({ quote: simulatorQuote(), collateral, now: NOW, trustedRoots: intelRoots }),
      "CERT_UNTRUSTED_ROOT",
    );
  });

  it("refuses a real Intel quote and collateral when only the development root is trusted (CERT_UNTRUSTED_ROOT)", () => {
    const set = QUOTE_SETS.S1;
    expectRefusal(
      () => verifyQuote({ quote: quoteOf(set), collateral: collateralOf(set.collateralFile), now: set.now, trustedRoots: devRoots }),
      "CERT_UNTRUSTED_ROOT",
    );
  });

  it("accepts both kinds when both roots are trusted (the sandbox network)", () => {
    const set = QUOTE_SETS.S1;
    const both = [...intelRoots, ...devRoots];
    expect(verifyQuote({ quote: quoteOf(set), collateral: collateralOf(set.collateralFile), now: set.now, trustedRoots: both }).status).toBe("UpToDate");
    expect(verifyQuote({ quote: simulatorQuote(), collateral, now: NOW, trustedRoots: both }).status).toBe("UpToDate");
  });

  it("refuses collateral signed by another seed's development PKI (CERT_UNTRUSTED_ROOT)", () => {
    const foreign = createDevPki({ seed: "someone else" });
    expectRefusal(() => verifyWithDevRoot(simulatorQuote(), simulatorCollateral({}, foreign)), "CERT_UNTRUSTED_ROOT");
  });
});

describe("TD policy refusals only the simulator can produce", () => {
  it("refuses a debug TD (td_attributes.DEBUG) with TD_DEBUG", () => {
    expectRefusal(() => verifyWithDevRoot(simulatorQuote({ tdAttributes: fromHex("0100001000000000") })), "TD_DEBUG");
  });

  it("refuses a TD without SEPT_VE_DISABLE with TD_ATTRIBUTES_NOT_ALLOWED", () => {
    expectRefusal(() => verifyWithDevRoot(simulatorQuote({ tdAttributes: fromHex("0000000000000000") })), "TD_ATTRIBUTES_NOT_ALLOWED");
  });

  it("refuses a reserved TD-under-debug attribute bit with TD_ATTRIBUTES_NOT_ALLOWED", () => {
    expectRefusal(() => verifyWithDevRoot(simulatorQuote({ tdAttributes: fromHex("0200001000000000") })), "TD_ATTRIBUTES_NOT_ALLOWED");
  });

  it("refuses a TDX module not signed by Intel (non-zero MR_SIGNER_SEAM) with TD_MR_SIGNER_SEAM_NONZERO", () => {
    const mrSignerSeam = new Uint8Array(48);
    mrSignerSeam[47] = 1;
    expectRefusal(() => verifyWithDevRoot(simulatorQuote({ mrSignerSeam })), "TD_MR_SIGNER_SEAM_NONZERO");
  });
});

describe("revocation and TCB status from simulator collateral", () => {
  it("refuses a PCK leaf listed on the PCK CRL with CERT_REVOKED", () => {
    const revoked = simulatorCollateral({ revokedPckSerials: [pki.pckLeaf.serial] });
    expectRefusal(() => verifyWithDevRoot(simulatorQuote(), revoked), "CERT_REVOKED");
  });

  it("refuses a PCK Platform CA listed on the root CA CRL with CERT_REVOKED", () => {
    const revoked = simulatorCollateral({ revokedCaSerials: [pki.platformCa.serial] });
    expectRefusal(() => verifyWithDevRoot(simulatorQuote(), revoked), "CERT_REVOKED");
  });

  it("refuses a platform whose TCB level is Revoked with TCB_REVOKED", () => {
    const [current, ...older] = defaultTcbLevels(pki.platform);
    const revoked = simulatorCollateral({ tcbLevels: [{ ...current!, tcbStatus: "Revoked" }, ...older] });
    expectRefusal(() => verifyWithDevRoot(simulatorQuote(), revoked), "TCB_REVOKED");
  });

  it("refuses a QE whose QE Identity level is Revoked with QE_TCB_REVOKED", () => {
    const revoked = simulatorCollateral({
      qeIdentity: { tcbLevels: [{ isvSvn: pki.quotingEnclave.isvSvn, tcbDate: "2024-03-13T00:00:00Z", tcbStatus: "Revoked" }] },
    });
    expectRefusal(() => verifyWithDevRoot(simulatorQuote(), revoked), "QE_TCB_REVOKED");
  });

  it("reports OutOfDate with the matched level's advisories when TCB Info describes a newer platform", () => {
    const newer = defaultTcbLevels({ ...pki.platform, pceSvn: pki.platform.pceSvn + 1 });
    const result = verifyWithDevRoot(simulatorQuote(), simulatorCollateral({ tcbLevels: newer }));
    expect(result.status).toBe("OutOfDate");
    expect(result.advisoryIds).toEqual(["INTEL-SA-00837", "INTEL-SA-00960"]);
    expect(result.tcb.qeStatus).toBe("UpToDate");
  });

  it("refuses a QE report whose MRSIGNER is not the QE Identity's with QE_IDENTITY_MISMATCH", () => {
    const other = simulatorCollateral({ qeIdentity: { mrSigner: createHash("sha256").update("another QE signer").digest() } });
    expectRefusal(() => verifyWithDevRoot(simulatorQuote(), other), "QE_IDENTITY_MISMATCH");
  });

  it("refuses a QE report whose ISVPRODID is not the QE Identity's with QE_IDENTITY_MISMATCH", () => {
    const other = simulatorCollateral({ qeIdentity: { isvProdId: pki.quotingEnclave.isvProdId + 1 } });
    expectRefusal(() => verifyWithDevRoot(simulatorQuote(), other), "QE_IDENTITY_MISMATCH");
  });

  it("refuses collateral issued for another FMSPC with FMSPC_MISMATCH", () => {
    expectRefusal(() => verifyWithDevRoot(simulatorQuote(), simulatorCollateral({ fmspc: fromHex("010203040506") })), "FMSPC_MISMATCH");
  });

  it("refuses TCB Info past its own nextUpdate while the CRLs are still valid with COLLATERAL_EXPIRED", () => {
    const expired = simulatorCollateral({ tcbInfoValidity: { issueDate: NOW - 40 * DAY, nextUpdate: NOW - 1 } });
    expectRefusal(() => verifyWithDevRoot(simulatorQuote(), expired), "COLLATERAL_EXPIRED");
  });
});

describe("cached chains keep their certificates' own validity", () => {
  const shortLived = createDevPki({ pckValidity: { notBefore: NOW - DAY / 2, notAfter: NOW + DAY } });
  const quote = simulatorQuote({}, shortLived);
  const shortCollateral = simulatorCollateral({}, shortLived);
  const run = (now: number, cache: QuoteVerifierCache) =>
    verifyQuote({ quote, collateral: shortCollateral, now, trustedRoots: devRoots, cache });

  it("refuses with CERT_EXPIRED one second after the PCK leaf expires, though the cache is warm", () => {
    const cache = new QuoteVerifierCache();
    expect(run(NOW, cache).status).toBe("UpToDate");
    expect(run(NOW + DAY, cache).status).toBe("UpToDate");
    expectRefusal(() => run(NOW + DAY + 1, cache), "CERT_EXPIRED");
    expect(run(NOW, cache).status).toBe("UpToDate");
  });

  it("refuses with CERT_NOT_YET_VALID before the PCK leaf's notBefore, though the cache is warm", () => {
    const cache = new QuoteVerifierCache();
    expect(run(NOW, cache).status).toBe("UpToDate");
    expectRefusal(() => run(NOW - DAY / 2 - 1, cache), "CERT_NOT_YET_VALID");
  });
});

describe("cached collateral keeps its signing chains' own validity", () => {
  it("refuses with CERT_EXPIRED once the QE Identity's signing certificate expires, though the collateral was verified before", () => {
    // A second TCB Signing certificate with the same key that expires in a day (Intel has
    // two such certificates, 2018-2025 and 2025-2032); only the QE Identity chain uses it.
    const shortTcbSigning = buildCertificate({
      serial: Uint8Array.of(0x42),
      issuer: pki.root.subject,
      subject: pki.tcbSigning.subject,
      notBefore: pki.tcbSigning.notBefore,
      notAfter: NOW + DAY,
      subjectKey: pki.tcbSigning.keyPair,
      issuerKey: pki.root.keyPair,
      caPathLength: undefined,
      crlDistributionPoint: "https://pccs.basekms-dev.invalid/sgx/certification/v4/rootcacrl",
    });
    const json = { ...issueCollateral(pki, { now: NOW }), qe_identity_issuer_chain: pemChain(shortTcbSigning, pki.root.der) };
    const mixed = parseCollateralJson(JSON.stringify(json));
    const quote = simulatorQuote();
    expect(verifyWithDevRoot(quote, mixed).status).toBe("UpToDate");
    expect(verifyWithDevRoot(quote, mixed, { now: NOW + DAY }).status).toBe("UpToDate");
    expectRefusal(() => verifyWithDevRoot(quote, mixed, { now: NOW + DAY + 1 }), "CERT_EXPIRED");
    expectRefusal(() => verifyWithDevRoot(quote, mixed, { now: NOW + DAY + 1, cache: new QuoteVerifierCache() }), "CERT_EXPIRED");
  });
});

describe("the simulator's RTMR3 event log through verifyQuote", () => {
  const appId = fromHex("11".repeat(20));
  const composeHash = createHash("sha256").update("app-compose.json").digest();
  const instanceId = fromHex("22".repeat(20));
  const simulator = new TdxSimulator({ pki });
  simulator.extendRtmr3("system-preparing", new Uint8Array(0));
  simulator.extendRtmr3("app-id", appId);
  simulator.extendRtmr3("compose-hash", composeHash);
  simulator.extendRtmr3("instance-id", instanceId);
  simulator.extendRtmr3("system-ready", new Uint8Array(0));
  const quote = simulator.getQuote(reportData);
  const simulatorCollateralNow = parseCollateralJson(JSON.stringify(simulator.collateral(NOW)));
  const run = (eventLog: unknown) => verifyWithDevRoot(quote, simulatorCollateralNow, { eventLog });

  it("replays to the quote's RTMR3 and yields app id, compose hash and instance id", () => {
    const result = run(simulator.eventLog());
    expect(toHex(result.quote.body.rtmr3)).toBe(toHex(simulator.rtmr3()));
    expect(result.events && Object.fromEntries(Object.entries(result.events).map(([key, value]) => [key, toHex(value)]))).toEqual({
      appId: toHex(appId),
      composeHash: toHex(composeHash),
      instanceId: toHex(instanceId),
    });
  });

  it("accepts the log as a JSON string too (dstack GetQuoteResponse shape)", () => {
    expect(toHex(run(JSON.stringify(simulator.eventLog())).events!.composeHash)).toBe(toHex(composeHash));
  });

  it("refuses a log with another compose hash (digest recomputed to match) with EVENT_LOG_MISMATCH", () => {
    const forged = createHash("sha256").update("someone else's compose").digest();
    const forger = new TdxSimulator({ pki });
    for (const event of simulator.eventLog()) {
      forger.extendRtmr3(event.event, event.event === "compose-hash" ? forged : fromHex(event.event_payload));
    }
    expectRefusal(() => run(forger.eventLog()), "EVENT_LOG_MISMATCH");
  });

  it("refuses a log with one event left out with EVENT_LOG_MISMATCH", () => {
    expectRefusal(() => run(simulator.eventLog().filter((event) => event.event !== "system-ready")), "EVENT_LOG_MISMATCH");
  });

  it("refuses a payload changed without its digest with EVENT_LOG_DIGEST_MISMATCH", () => {
    const tampered = simulator.eventLog().map((event) =>
      event.event === "compose-hash" ? { ...event, event_payload: "00".repeat(32) } : event,
    );
    expectRefusal(() => run(tampered), "EVENT_LOG_DIGEST_MISMATCH");
  });
});

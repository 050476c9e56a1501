import { describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { parseCollateralJson } from "../../core/attestation/collateral";
import { AttestationError } from "../../core/attestation/errors";
import { devRootDer, issueCollateral } from "../../core/attestation/simulator";
import { QuoteVerifierCache } from "../../core/attestation/verifyQuote";
import { CryptoError } from "../../core/crypto/errors";
import { keyRequestReportData, onboardingReportData } from "../../core/crypto/keyRequestBinding";
import { sha256 } from "../../core/hash";
import { type AttestationContext, type AttestationInput, type AttestationOutcome, type EventLogResult, checkAttestation } from "../../kms/attest/checkAttestation";
import { createPckPlatformReader } from "../../kms/attest/pckPlatform";
import { createAttestedRequestVerifier } from "../../kms/attest/verifyAttestedRequest";
import { createNonceStore } from "../../kms/challenge";
import { KmsError } from "../../kms/errors";
import { MAX_QUOTE_BYTES } from "../../kms/schemas";
import { transferError } from "../../kms/workers/transferredError";
import { SIMULATOR_PLATFORM_HASH, makeAgentVm, testComposeHash } from "./testbedKms";

/**
 * Steps 1, 2 and 4 as the release worker computes them (`checkAttestation`), and how the main
 * thread applies them around step 3, the nonce (`createAttestedRequestVerifier`).
 */
const NOW = Math.floor(Date.now() / 1000);
const identity = { appId: `0x${"ab".repeat(20)}` as const, composeHash: testComposeHash("check-attestation"), instanceId: new Uint8Array(20).fill(9) };
const vm = makeAgentVm(identity);
const collateral = parseCollateralJson(JSON.stringify(issueCollateral(vm.pki, { now: NOW })));
const nonce = new Uint8Array(32).fill(1);
const agentKey = new Uint8Array(32).fill(2);

function context(overrides: Partial<AttestationContext> = {}): AttestationContext {
  return { platformOf: createPckPlatformReader(), collateralFor: () => collateral, now: NOW, trustedRoots: [devRootDer()], cache: new QuoteVerifierCache(), ...overrides };
}

function input(overrides: Partial<AttestationInput> = {}): AttestationInput {
  return {
    quoteHex: toHex(vm.getQuote(keyRequestReportData(nonce, agentKey))),
    eventLog: vm.eventLog(),
    nonce,
    recipientPublicKey: agentKey,
    binding: "key-request",
    ...overrides,
  };
}

function refusalCode(outcome: AttestationOutcome): string | undefined {
  return outcome.kind === "refused" && outcome.error.family !== "unexpected" ? outcome.error.code : undefined;
}

describe("checkAttestation (in a release worker)", () => {
  it("returns the quote's public facts and the app identity of a good request", () => {
    const quote = vm.getQuote(keyRequestReportData(nonce, agentKey));
    const outcome = checkAttestation(input({ quoteHex: `0x${toHex(quote)}` }), context());
    if (outcome.kind !== "attested" || !outcome.eventLog.ok) throw new Error(`expected attested, got ${JSON.stringify(outcome)}`);
    expect(outcome.quote.status).toBe("UpToDate");
    expect(toHex(outcome.quote.platformHash)).toBe(toHex(SIMULATOR_PLATFORM_HASH));
    expect(toHex(outcome.quote.quoteSha256)).toBe(toHex(sha256(quote)));
    expect(toHex(outcome.eventLog.events.appId)).toBe("ab".repeat(20));
    expect(toHex(outcome.eventLog.events.composeHash)).toBe(toHex(identity.composeHash));
    expect(toHex(outcome.eventLog.events.instanceId)).toBe(toHex(identity.instanceId));
  });

  it("asks for collateral (need-collateral, with the quote's FMSPC) when it holds none for the platform", () => {
    const outcome = checkAttestation(input(), context({ collateralFor: () => undefined }));
    expect(outcome.kind).toBe("need-collateral");
    if (outcome.kind === "need-collateral") {
      expect(toHex(outcome.platform.fmspc)).toBe(toHex(vm.pki.platform.fmspc));
      expect(outcome.platform.caType).toBe("platform");
    }
  });

  it("refuses a quote that is not 1 to MAX_QUOTE_BYTES bytes of whole-byte hex with REQUEST_MALFORMED, before parsing it", () => {
    for (const quoteHex of ["zz".repeat(600), "abc", "0x", "", "00".repeat(MAX_QUOTE_BYTES + 1), `0x${"00".repeat(MAX_QUOTE_BYTES + 1)}`, "00".repeat(MAX_QUOTE_BYTES + 2)]) {
      expect(refusalCode(checkAttestation(input({ quoteHex }), context())), quoteHex.slice(0, 8)).toBe("REQUEST_MALFORMED");
    }
  });

  it("refuses a truncated quote (QUOTE_TRUNCATED) and a quote with a flipped body bit (QUOTE_SIGNATURE_INVALID)", () => {
    const quote = vm.getQuote(keyRequestReportData(nonce, agentKey));
    expect(refusalCode(checkAttestation(input({ quoteHex: toHex(quote.subarray(0, 100)) }), context()))).toBe("QUOTE_TRUNCATED");
    const flipped = quote.slice();
    flipped[48 + 200] = (flipped[48 + 200] as number) ^ 1;
    expect(refusalCode(checkAttestation(input({ quoteHex: toHex(flipped) }), context()))).toBe("QUOTE_SIGNATURE_INVALID");
  });

  it("refuses report_data that does not bind the nonce and key (REPORT_DATA_MISMATCH) without reading the event log", () => {
    const outcome = checkAttestation(input({ recipientPublicKey: new Uint8Array(32).fill(3), eventLog: "not an event log" }), context());
    expect(refusalCode(outcome)).toBe("REPORT_DATA_MISMATCH");
    expect(outcome.kind === "refused" && outcome.error.family).toBe("crypto");
  });

  it("binds onboarding quotes with the onboarding label: a key-request quote cannot onboard", () => {
    const keyRequestQuote = input();
    expect(refusalCode(checkAttestation({ ...keyRequestQuote, binding: "onboarding" }, context()))).toBe("REPORT_DATA_MISMATCH");
    const onboardingQuote = toHex(vm.getQuote(onboardingReportData(nonce, agentKey)));
    expect(checkAttestation(input({ quoteHex: onboardingQuote, binding: "onboarding" }), context()).kind).toBe("attested");
  });

  it("keeps an event-log refusal apart from the quote's, so the nonce can be consumed first", () => {
    const other = makeAgentVm({ ...identity, composeHash: testComposeHash("another app") });
    const outcome = checkAttestation(input({ eventLog: other.eventLog() }), context());
    expect(outcome.kind).toBe("attested");
    if (outcome.kind === "attested") expect(outcome.eventLog).toMatchObject({ ok: false, error: { family: "attestation", code: "EVENT_LOG_MISMATCH" } });
  });
});

describe("createAttestedRequestVerifier (main thread): protocol order around the nonce", () => {
  const attested = (eventLog: EventLogResult): AttestationOutcome => ({
    kind: "attested",
    quote: { status: "UpToDate", advisoryIds: [], platformHash: new Uint8Array(32), quoteSha256: new Uint8Array(32) },
    eventLog,
  });
  const events = { appId: new Uint8Array(20), composeHash: new Uint8Array(32), instanceId: new Uint8Array(0) };

  function setUp(outcome: AttestationOutcome) {
    if (outcome.kind === "need-collateral") throw new Error("the worker pool answers need-collateral itself");
    const nonces = createNonceStore({});
    const issued = nonces.issue();
    const verify = createAttestedRequestVerifier({ attest: async () => outcome, nonces });
    return { nonces, nonce: issued.nonce, verify: () => verify({ ...input(), nonce: issued.nonce }) };
  }

  it("throws a step 1-2 refusal as its own class and code, and leaves the nonce unused", async () => {
    const { nonces, nonce, verify } = setUp({ kind: "refused", error: transferError(new AttestationError("TD_DEBUG", "debug")) });
    await expect(verify()).rejects.toSatisfy((error: unknown) => error instanceof AttestationError && error.code === "TD_DEBUG");
    expect(nonces.consume(nonce)).toBe("ok");
  });

  it("consumes the nonce before it throws the event log's refusal (a refused request burns its nonce)", async () => {
    const { nonces, nonce, verify } = setUp(attested({ ok: false, error: transferError(new AttestationError("EVENT_LOG_MISMATCH", "no")) }));
    await expect(verify()).rejects.toSatisfy((error: unknown) => error instanceof AttestationError && error.code === "EVENT_LOG_MISMATCH");
    expect(nonces.consume(nonce)).toBe("reused");
  });

  it("refuses a used nonce (NONCE_REUSED) before it looks at the event log's result", async () => {
    const { verify } = setUp(attested({ ok: false, error: transferError(new AttestationError("EVENT_LOG_MISMATCH", "no")) }));
    await expect(verify()).rejects.toThrow();
    await expect(verify()).rejects.toSatisfy((error: unknown) => error instanceof KmsError && error.code === "NONCE_REUSED");
  });

  it("returns the quote facts and events once every step passed", async () => {
    const { verify } = setUp(attested({ ok: true, events }));
    await expect(verify()).resolves.toMatchObject({ quote: { status: "UpToDate" }, events });
  });

  it("passes a worker's CryptoError through with its code (REPORT_DATA_MISMATCH is 403, not 500)", async () => {
    const { verify } = setUp({ kind: "refused", error: transferError(new CryptoError("REPORT_DATA_MISMATCH", "no")) });
    await expect(verify()).rejects.toSatisfy((error: unknown) => error instanceof CryptoError && error.code === "REPORT_DATA_MISMATCH");
  });
});

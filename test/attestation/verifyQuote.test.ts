import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { AttestationError } from "../../core/attestation/errors";
import { splitPemChain } from "../../core/attestation/pki";
import { parseQuote } from "../../core/attestation/quote";
import { QuoteVerifierCache, verifyQuote, type QuoteVerification } from "../../core/attestation/verifyQuote";
import { expectRefusal } from "../helpers/collateralVectors";
import {
  QUOTE_SETS,
  QUOTE_SET_LIST,
  S8_COLLATERAL,
  type QuoteSet,
  collateralOf,
  eventLogOf,
  intelRootDer,
  quoteOf,
  windowOf,
} from "../helpers/quoteSets";
import { loadQuoteVectorAsStored, readVectorJson } from "../helpers/vectors";
import { EXPECTED_QUOTES } from "./quote/expectedMeasurements";
import { quoteFieldOffsets } from "./quote/quoteMutations";

/**
 * End-to-end verification of every real vector set (../shared/tdx-vectors, README "Sets")
 * at its fixed `now`, against the pinned Intel SGX Root CA, with the exact outcome the
 * README states. Expected values come from the README and the raw vector files, never
 * from the verifier.
 */

const trustedRoots = [intelRootDer()];
const collaterals = new Map<string, ReturnType<typeof collateralOf>>();
function collateralFor(file: string) {
  let collateral = collaterals.get(file);
  if (!collateral) {
    collateral = collateralOf(file);
    collaterals.set(file, collateral);
  }
  return collateral;
}

function verifySet(set: QuoteSet, overrides: { now?: number; collateralFile?: string; cache?: QuoteVerifierCache } = {}) {
  const eventLog = eventLogOf(set);
  return verifyQuote({
    quote: quoteOf(set),
    collateral: collateralFor(overrides.collateralFile ?? set.collateralFile),
    now: overrides.now ?? set.now,
    trustedRoots,
    ...(eventLog === undefined ? {} : { eventLog }),
    ...(overrides.cache ? { cache: overrides.cache } : {}),
  });
}

/** What a caller sees: the status and advisories, or the refusal code. */
function outcomeOf(action: () => QuoteVerification) {
  try {
    const result = action();
    return {
      status: result.status,
      advisoryIds: result.advisoryIds,
      platformHash: toHex(result.platformHash),
      events: result.events && Object.fromEntries(Object.entries(result.events).map(([key, value]) => [key, toHex(value)])),
    };
  } catch (error) {
    if (!(error instanceof AttestationError)) throw error;
    return { errorCode: error.code };
  }
}

/** SHA-256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2), recomputed from the README's hex with node:crypto. */
function independentPlatformHash(set: QuoteSet["set"]): string {
  const expected = EXPECTED_QUOTES.find((quote) => quote.set === set)!;
  const hash = createHash("sha256");
  for (const part of [expected.mrTd, expected.rtmr0, expected.rtmr1, expected.rtmr2]) hash.update(Buffer.from(part, "hex"));
  return hash.digest("hex");
}

describe("verifyQuote on every real vector set at its README `now`", () => {
  for (const set of QUOTE_SET_LIST) {
    const expected = set.expected;
    if ("errorCode" in expected) {
      it(`${set.set}: refuses with ${expected.errorCode}`, () => {
        expectRefusal(() => verifySet(set), expected.errorCode);
      });
    } else {
      it(`${set.set}: verifies ${expected.status} with advisories [${expected.advisoryIds.join(", ")}]`, () => {
        const result = verifySet(set);
        expect(result.status).toBe(expected.status);
        expect(result.advisoryIds).toEqual(expected.advisoryIds);
        expect(toHex(result.platformHash)).toBe(independentPlatformHash(set.set));
      });
    }
  }

  it("S6 as stored (go-tdx-guest's text note after the quote) is refused as QUOTE_MALFORMED", () => {
    expectRefusal(
      () => verifyQuote({ quote: loadQuoteVectorAsStored("S6"), collateral: collateralFor(QUOTE_SETS.S6.collateralFile), now: QUOTE_SETS.S6.now, trustedRoots }),
      "QUOTE_MALFORMED",
    );
  });

  for (const name of ["S1", "S3", "S8"] as const) {
    it(`${name}: the result carries the quote's measurements as the README lists them`, () => {
      const expected = EXPECTED_QUOTES.find((quote) => quote.set === name)!;
      const { quote, pck } = verifySet(QUOTE_SETS[name]);
      const body = quote.body;
      expect(quote.header.version).toBe(expected.version);
      expect({
        mrTd: toHex(body.mrTd),
        rtmr0: toHex(body.rtmr0),
        rtmr1: toHex(body.rtmr1),
        rtmr2: toHex(body.rtmr2),
        rtmr3: toHex(body.rtmr3),
        reportData: toHex(body.reportData),
        tdAttributes: toHex(body.tdAttributes),
        mrConfigId: toHex(body.mrConfigId),
      }).toEqual({
        mrTd: expected.mrTd,
        rtmr0: expected.rtmr0,
        rtmr1: expected.rtmr1,
        rtmr2: expected.rtmr2,
        rtmr3: expected.rtmr3,
        reportData: expected.reportData,
        tdAttributes: expected.tdAttributes,
        mrConfigId: expected.mrConfigId,
      });
      // The declared end, walked from the quote's own length fields (S1, S3 and S8 carry zero padding).
      expect(quote.quoteBytes.length).toBe(quoteFieldOffsets(quoteOf(name)).end);
      expect(toHex(pck.fmspc)).toBe({ S1: "b0c06f000000", S3: "b0c06f000000", S8: "00806f050000" }[name]);
    });
  }
});

interface RawEvent {
  imr: number;
  digest: string;
  event: string;
  event_payload: string;
}

/** RTMR3 replayed from the raw JSON with node:crypto: rtmr = sha384(rtmr ‖ digest). */
function replayRtmr3(events: RawEvent[]): string {
  let rtmr = Buffer.alloc(48);
  for (const event of events.filter((candidate) => candidate.imr === 3)) {
    rtmr = createHash("sha384").update(rtmr).update(Buffer.from(event.digest, "hex")).digest();
  }
  return rtmr.toString("hex");
}

function rawEvents(set: QuoteSet): RawEvent[] {
  const log = eventLogOf(set);
  return (typeof log === "string" ? JSON.parse(log) : log) as RawEvent[];
}

function payloadOf(events: RawEvent[], name: string): string {
  const matches = events.filter((event) => event.imr === 3 && event.event === name);
  expect(matches).toHaveLength(1);
  return matches[0]!.event_payload;
}

describe("RTMR3 event log through verifyQuote", () => {
  it("S3 (near-mpc tcb_info.json event_log array): replays to RTMR3 and yields the dstack compose hash", () => {
    const set = QUOTE_SETS.S3;
    const events = rawEvents(set);
    const tcbInfo = readVectorJson<{ compose_hash: string; app_compose: string; rtmr3: string }>("near-mpc/tcb_info.json");
    expect(replayRtmr3(events)).toBe(tcbInfo.rtmr3);
    expect(createHash("sha256").update(tcbInfo.app_compose).digest("hex")).toBe(tcbInfo.compose_hash);

    const result = verifySet(set);
    expect(toHex(result.quote.body.rtmr3)).toBe(tcbInfo.rtmr3);
    expect(toHex(result.events!.composeHash)).toBe(tcbInfo.compose_hash);
    expect(toHex(result.events!.appId)).toBe(payloadOf(events, "app-id"));
    expect(toHex(result.events!.instanceId)).toBe(""); // this app has no instance id
    // dstack puts the compose hash into MR_CONFIG_ID as 0x01 ‖ compose_hash ‖ zeros.
    expect(toHex(result.quote.body.mrConfigId)).toBe(`01${tcbInfo.compose_hash}${"00".repeat(15)}`);
  });

  it("S4 (dstack quote-report.json event_log JSON string): yields app id, compose hash and instance id", () => {
    const set = QUOTE_SETS.S4;
    const events = rawEvents(set);
    const result = verifySet(set);
    expect(replayRtmr3(events)).toBe(toHex(result.quote.body.rtmr3));
    expect(result.events && Object.fromEntries(Object.entries(result.events).map(([key, value]) => [key, toHex(value)]))).toEqual({
      appId: payloadOf(events, "app-id"),
      composeHash: payloadOf(events, "compose-hash"),
      instanceId: payloadOf(events, "instance-id"),
    });
    expect(result.events!.instanceId).toHaveLength(20);
  });

  it("refuses an event log that lost its last RTMR3 event with EVENT_LOG_MISMATCH", () => {
    const set = QUOTE_SETS.S4;
    const events = rawEvents(set);
    const lastRuntime = events.map((event) => event.imr).lastIndexOf(3);
    const shortened = events.filter((_, index) => index !== lastRuntime);
    expectRefusal(
      () => verifyQuote({ quote: quoteOf(set), collateral: collateralFor(set.collateralFile), now: set.now, trustedRoots, eventLog: shortened }),
      "EVENT_LOG_MISMATCH",
    );
  });

  it("refuses S3's event log given with S4's quote (another TD's log) with EVENT_LOG_MISMATCH", () => {
    const set = QUOTE_SETS.S4;
    expectRefusal(
      () => verifyQuote({ quote: quoteOf(set), collateral: collateralFor(set.collateralFile), now: set.now, trustedRoots, eventLog: eventLogOf(QUOTE_SETS.S3) }),
      "EVENT_LOG_MISMATCH",
    );
  });
});

describe("collateral time window (README windows: latest issue date to earliest nextUpdate)", () => {
  for (const name of ["S1", "S3", "S8"] as const) {
    const set = QUOTE_SETS[name];
    const expected = set.expected as { status: string; advisoryIds: string[] };
    const window = windowOf(set);

    it(`${name}: refuses one second after the window ends with COLLATERAL_EXPIRED`, () => {
      expectRefusal(() => verifySet(set, { now: window.to + 1 }), "COLLATERAL_EXPIRED");
    });

    it(`${name}: accepts at the last second of the window (nextUpdate is inclusive)`, () => {
      expect(verifySet(set, { now: window.to }).status).toBe(expected.status);
    });

    it(`${name}: accepts at the first second of the window`, () => {
      expect(verifySet(set, { now: window.from }).status).toBe(expected.status);
    });

    it(`${name}: refuses one second before the window starts with COLLATERAL_NOT_YET_VALID`, () => {
      expectRefusal(() => verifySet(set, { now: window.from - 1 }), "COLLATERAL_NOT_YET_VALID");
    });
  }
});

describe("wrong pairing of quote and collateral", () => {
  it("refuses S1's quote (FMSPC b0c06f000000) with S8's collateral (00806f050000) with FMSPC_MISMATCH", () => {
    expectRefusal(() => verifySet(QUOTE_SETS.S1, { collateralFile: S8_COLLATERAL }), "FMSPC_MISMATCH");
  });

  it("refuses S5's quote (FMSPC 90c06f000000) with S3's collateral with FMSPC_MISMATCH", () => {
    expectRefusal(() => verifySet(QUOTE_SETS.S5), "FMSPC_MISMATCH");
  });
});

describe("QuoteVerifierCache", () => {
  it("gives exactly the results of uncached verification, cold and warm, for every set", () => {
    const cache = new QuoteVerifierCache();
    for (const set of QUOTE_SET_LIST) {
      const uncached = outcomeOf(() => verifySet(set));
      expect(outcomeOf(() => verifySet(set, { cache })), `${set.set} cold`).toEqual(uncached);
      expect(outcomeOf(() => verifySet(set, { cache })), `${set.set} warm`).toEqual(uncached);
    }
  });

  it("accepts an already parsed quote with the same result as its bytes", () => {
    const set = QUOTE_SETS.S1;
    const parsed = parseQuote(quoteOf(set));
    const fromParsed = verifyQuote({ quote: parsed, collateral: collateralFor(set.collateralFile), now: set.now, trustedRoots });
    expect(outcomeOf(() => fromParsed)).toEqual(outcomeOf(() => verifySet(set)));
  });

  for (const name of ["S1", "S3", "S8"] as const) {
    it(`${name}: a warm cache still refuses one second after the window ends`, () => {
      const set = QUOTE_SETS[name];
      const cache = new QuoteVerifierCache();
      verifySet(set, { cache });
      verifySet(set, { cache, now: windowOf(set).to });
      expectRefusal(() => verifySet(set, { cache, now: windowOf(set).to + 1 }), "COLLATERAL_EXPIRED");
      expectRefusal(() => verifySet(set, { cache, now: windowOf(set).from - 1 }), "COLLATERAL_NOT_YET_VALID");
      expect(verifySet(set, { cache }).status).toBe((set.expected as { status: string }).status);
    });
  }

  it("the cached PCK chain itself refuses past the PCK CRL's nextUpdate (CRL_EXPIRED)", () => {
    const set = QUOTE_SETS.S1;
    const cache = new QuoteVerifierCache();
    verifySet(set, { cache });
    const collateral = collateralFor(set.collateralFile);
    const chain = {
      chain: splitPemChain(parseQuote(quoteOf(set)).pckChainPem),
      trustedRoots,
      crls: [collateral.rootCaCrlDer, collateral.pckCrlDer],
    };
    // S1's window ends at the PCK CRL nextUpdate (README), so the chain's own window ends there too.
    expect(cache.chains.verify({ ...chain, now: windowOf(set).to }).leaf.serialHex).toBe("3c16ed54eacbb4ced072be72630c85788cf46e36");
    expectRefusal(() => cache.chains.verify({ ...chain, now: windowOf(set).to + 1 }), "CRL_EXPIRED");
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromHex } from "../../../core/bytes";
import { type Collateral, parseCollateralJson, serializeCollateral } from "../../../core/attestation/collateral/collateral";
import { CollateralCache, type CollateralCacheOptions } from "../../../core/attestation/collateral/collateralCache";
import type { PckCaType } from "../../../core/attestation/collateral/pccs";
import { AttestationError } from "../../../core/attestation/errors";
import { expectAsyncRefusal, readVectorText, unixSeconds, VECTOR_SETS } from "../../helpers/collateralVectors";

/**
 * S1's window ends at its PCK CRL's nextUpdate, 2025-07-19T10:00:35Z, before the TCB Info's
 * (10:16:03Z) and the QE Identity's (10:32:27Z); the cache reads CRL dates with the PKI parser.
 */
const S1_TEXT = readVectorText(VECTOR_SETS.S1.collateral);
const S1_FMSPC = fromHex("b0c06f000000");
const S1_NEXT_UPDATE = unixSeconds("2025-07-19T10:00:35Z");

/** A clock the test moves, and a fetcher that counts its calls. */
function harness(extra: Partial<CollateralCacheOptions> = {}) {
  const clock = { now: unixSeconds("2025-07-01T00:00:00Z") };
  const calls: Array<{ fmspc: Uint8Array; caType: PckCaType }> = [];
  let answer: () => Promise<Collateral> = async () => parseCollateralJson(S1_TEXT);
  const cache = new CollateralCache({
    fetchCollateral: (key) => {
      calls.push(key);
      return answer();
    },
    now: () => clock.now,
    ...extra,
  });
  return { cache, clock, calls, setAnswer: (next: () => Promise<Collateral>) => (answer = next) };
}

describe("CollateralCache in memory", () => {
  it("reuses an entry before its nextUpdate", async () => {
    const { cache, calls } = harness();
    const first = await cache.get(S1_FMSPC, "platform");
    expect(await cache.get(S1_FMSPC, "platform")).toBe(first);
    expect(calls).toHaveLength(1);
    expect(cache.nextUpdateOf(S1_FMSPC, "platform")).toBe(S1_NEXT_UPDATE);
  });

  it("still reuses it at the exact nextUpdate second and refetches 1 s later", async () => {
    const { cache, clock, calls } = harness();
    await cache.get(S1_FMSPC, "platform");
    clock.now = S1_NEXT_UPDATE;
    await cache.get(S1_FMSPC, "platform");
    expect(calls).toHaveLength(1);
    clock.now = S1_NEXT_UPDATE + 1;
    await cache.get(S1_FMSPC, "platform");
    expect(calls).toHaveLength(2);
  });

  it("keys entries by FMSPC and PCK CA", async () => {
    const { cache, calls } = harness();
    await cache.get(S1_FMSPC, "platform");
    await cache.get(S1_FMSPC, "processor");
    await cache.get(fromHex("90c06f000000"), "platform");
    expect(calls.map((call) => call.caType)).toEqual(["platform", "processor", "platform"]);
  });

  it("shares one fetch between concurrent misses", async () => {
    const { cache, calls } = harness();
    const [a, b, c] = await Promise.all([
      cache.get(S1_FMSPC, "platform"),
      cache.get(S1_FMSPC, "platform"),
      cache.get(S1_FMSPC, "platform"),
    ]);
    expect(calls).toHaveLength(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it("expires at the TCB Info's nextUpdate when the CRLs run longer (injected CRL dates)", async () => {
    const { cache, clock, calls } = harness({ crlNextUpdate: () => unixSeconds("2026-01-01T00:00:00Z") });
    await cache.get(S1_FMSPC, "platform");
    const tcbInfoNextUpdate = unixSeconds("2025-07-19T10:16:03Z");
    expect(cache.nextUpdateOf(S1_FMSPC, "platform")).toBe(tcbInfoNextUpdate);
    clock.now = tcbInfoNextUpdate;
    await cache.get(S1_FMSPC, "platform");
    expect(calls).toHaveLength(1);
    clock.now = tcbInfoNextUpdate + 1;
    await cache.get(S1_FMSPC, "platform");
    expect(calls).toHaveLength(2);
  });

  it("does not cache a failed fetch: the next get tries again", async () => {
    const { cache, calls, setAnswer } = harness();
    setAnswer(async () => {
      throw new AttestationError("COLLATERAL_UNAVAILABLE", "PCCS down");
    });
    await expectAsyncRefusal(() => cache.get(S1_FMSPC, "platform"), "COLLATERAL_UNAVAILABLE");
    setAnswer(async () => parseCollateralJson(S1_TEXT));
    await cache.get(S1_FMSPC, "platform");
    expect(calls).toHaveLength(2);
  });
});

describe("CollateralCache on disk", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(tmpdir(), "basekms-collateral-"));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });
  const file = () => path.join(directory, "b0c06f000000-platform.json");

  it("writes the collateral file byte-exactly and a new cache reads it without fetching", async () => {
    const writer = harness({ directory });
    await writer.cache.get(S1_FMSPC, "platform");
    expect(readFileSync(file(), "utf8")).toBe(serializeCollateral(parseCollateralJson(S1_TEXT)));

    const reader = harness({ directory });
    reader.setAnswer(async () => {
      throw new Error("must not fetch");
    });
    const collateral = await reader.cache.get(S1_FMSPC, "platform");
    expect(collateral.tcbInfoText).toBe(parseCollateralJson(S1_TEXT).tcbInfoText);
    expect(reader.calls).toHaveLength(0);
  });

  it("refetches and overwrites a disk entry past its nextUpdate", async () => {
    await harness({ directory }).cache.get(S1_FMSPC, "platform");
    const later = harness({ directory });
    later.clock.now = S1_NEXT_UPDATE + 1;
    await later.cache.get(S1_FMSPC, "platform");
    expect(later.calls).toHaveLength(1);
  });

  it("treats a corrupt disk entry as a miss and replaces it", async () => {
    writeFileSync(file(), "{ not json");
    const { cache, calls } = harness({ directory });
    await cache.get(S1_FMSPC, "platform");
    expect(calls).toHaveLength(1);
    expect(() => parseCollateralJson(readFileSync(file(), "utf8"))).not.toThrow();
  });
});

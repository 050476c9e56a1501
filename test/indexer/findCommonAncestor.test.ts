import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Hex } from "../../core/policy";
import { findCommonAncestor } from "../../indexer/sync/findCommonAncestor";

const hash = (chain: string, number: number): Hex => `0x${Buffer.from(`${chain}:${number}`).toString("hex").padEnd(64, "0")}` as Hex;

describe("findCommonAncestor", () => {
  it("finds the highest stored block still canonical, in O(log n) header reads", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 0, max: 10_001 }), async (numbers, forkAfter) => {
        const stored = [...numbers].sort((a, b) => b - a).map((number) => ({ number, hash: hash(number > forkAfter ? "old" : "same", number) }));
        let reads = 0;
        const canonical = async (number: number) => {
          reads += 1;
          return hash(number > forkAfter ? "new" : "same", number);
        };
        const ancestor = await findCommonAncestor(stored, canonical);
        expect(ancestor?.number).toBe(stored.find((block) => block.number <= forkAfter)?.number);
        expect(reads).toBeLessThanOrEqual(Math.ceil(Math.log2(stored.length + 1)) + 1);
      }),
      { numRuns: 200 },
    );
  });

  it("answers undefined when nothing stored is canonical any more", async () => {
    expect(await findCommonAncestor([{ number: 5, hash: hash("old", 5) }], async () => null)).toBeUndefined();
  });
});

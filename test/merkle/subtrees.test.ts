import { describe, expect, it } from "vitest";
import { emptyRoot, frontierAt, pushLeaf, rangePieces, rootAt, rootFromFrontier } from "../../core/merkle";
import { expectMerkleError } from "./mutations";
import { referenceMth, sampleLeafHashes } from "./rfcReference";

describe("complete-subtree storage scheme", () => {
  it("splits a tree size into one complete subtree per set bit, largest first", () => {
    expect(rangePieces(0, 13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rangePieces(0, 16)).toEqual([{ level: 4, index: 0 }]);
    expect(rangePieces(8, 11)).toEqual([
      { level: 1, index: 4 },
      { level: 0, index: 10 },
    ]);
    expect(rangePieces(5, 5)).toEqual([]);
  });

  it("refuses a range that does not start on a subtree boundary with SIZE_INVALID", () => {
    expectMerkleError(() => rangePieces(1, 3), "SIZE_INVALID");
    expectMerkleError(() => rangePieces(4, 3), "SIZE_INVALID");
  });

  it("appending leaf n completes the leaf plus one node per trailing 1-bit of n", () => {
    const leaves = sampleLeafHashes(64);
    const frontier: Uint8Array[] = [];
    leaves.forEach((leaf, n) => {
      const completed = pushLeaf(frontier, n, leaf);
      const trailingOnes = n.toString(2).match(/1*$/)?.[0].length ?? 0;
      expect(completed.length, `leaf ${n}`).toBe(trailingOnes + 1);
      const top = completed[completed.length - 1];
      expect(top?.hash).toEqual(referenceMth(leaves.slice(n + 1 - 2 ** (top?.level ?? 0), n + 1)));
      expect(frontier.length).toBe((n + 1).toString(2).replace(/0/g, "").length);
      expect(rootFromFrontier(frontier)).toEqual(referenceMth(leaves.slice(0, n + 1)));
    });
  });

  it("the empty frontier's root is the empty root", () => {
    expect(rootFromFrontier([])).toEqual(emptyRoot());
    expect(rootAt(0, () => {
      throw new Error("an empty tree reads no node");
    })).toEqual(emptyRoot());
    expect(frontierAt(0, () => new Uint8Array(32))).toEqual([]);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  MerkleError,
  createMemoryTree,
  frontierAt,
  rootFromFrontier,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "../../core/merkle";
import { referenceConsistency, referenceLeafHash, referenceMth, referencePath } from "./rfcReference";

const leafData = fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 70 });
const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const RUNS = { numRuns: 60 };

describe("memory tree properties (fast-check)", () => {
  it("the incremental root equals the recursive MTH at every size", () => {
    fc.assert(
      fc.property(leafData, (data) => {
        const leaves = data.map(referenceLeafHash);
        const tree = createMemoryTree();
        leaves.forEach((leaf, i) => {
          expect(tree.append(leaf)).toBe(i);
        });
        expect(tree.root()).toEqual(referenceMth(leaves));
        expect(rootFromLeafHashes(leaves)).toEqual(referenceMth(leaves));
        for (let size = 0; size <= leaves.length; size += 7) {
          expect(tree.root(size)).toEqual(referenceMth(leaves.slice(0, size)));
          expect(rootFromFrontier(frontierAt(size, tree.getNode))).toEqual(referenceMth(leaves.slice(0, size)));
        }
      }),
      RUNS,
    );
  });

  it("an inclusion proof for any (index, size) equals PATH and verifies", () => {
    const input = leafData
      .filter((data) => data.length > 0)
      .chain((data) =>
        fc.record({
          data: fc.constant(data),
          size: fc.integer({ min: 1, max: data.length }),
          indexSeed: fc.nat(),
        }),
      );
    fc.assert(
      fc.property(input, ({ data, size, indexSeed }) => {
        const index = indexSeed % size;
        const leaves = data.map(referenceLeafHash);
        const tree = createMemoryTree(leaves);
        const proof = tree.inclusionProof(index, size);
        expect(proof).toEqual(referencePath(index, leaves.slice(0, size)));
        verifyInclusion(leaves[index] as Uint8Array, index, size, proof, tree.root(size));
      }),
      RUNS,
    );
  });

  it("a consistency proof for any 0 < m <= n equals PROOF and verifies", () => {
    const input = leafData
      .filter((data) => data.length > 0)
      .chain((data) =>
        fc.record({
          data: fc.constant(data),
          to: fc.integer({ min: 1, max: data.length }),
          fromSeed: fc.nat(),
        }),
      );
    fc.assert(
      fc.property(input, ({ data, to, fromSeed }) => {
        const from = 1 + (fromSeed % to);
        const leaves = data.map(referenceLeafHash);
        const tree = createMemoryTree(leaves);
        const proof = tree.consistencyProof(from, to);
        expect(proof).toEqual(referenceConsistency(from, leaves.slice(0, to)));
        verifyConsistency(from, to, tree.root(from), tree.root(to), proof);
      }),
      RUNS,
    );
  });

  it("verifiers given arbitrary input either accept or throw a MerkleError, never anything else", () => {
    const anySize = fc.oneof(fc.integer({ min: -2, max: 70 }), fc.constant(2 ** 53), fc.double());
    const proof = fc.array(fc.oneof(hash32, fc.uint8Array({ maxLength: 40 })), { maxLength: 8 });
    fc.assert(
      fc.property(hash32, anySize, anySize, proof, hash32, (leaf, index, size, path, root) => {
        try {
          verifyInclusion(leaf, index, size, path, root);
        } catch (error) {
          expect(error).toBeInstanceOf(MerkleError);
        }
        try {
          verifyConsistency(index, size, leaf, root, path);
        } catch (error) {
          expect(error).toBeInstanceOf(MerkleError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { consistencyProof, createMemoryTree, inclusionProof, rootAt, verifyConsistency, verifyInclusion } from "../../core/merkle";
import { expectMerkleError } from "./mutations";
import { referenceConsistency, referenceMth, referencePath, sampleLeafHashes } from "./rfcReference";

const MAX_SIZE = 40;
const leaves = sampleLeafHashes(MAX_SIZE);
const tree = createMemoryTree(leaves);
const roots = Array.from({ length: MAX_SIZE + 1 }, (_, size) => referenceMth(leaves.slice(0, size)));

describe("proof generation over complete subtrees (RFC 9162 §2.1.3.1, §2.1.4.1)", () => {
  it(`every root for sizes 0..${MAX_SIZE} equals the recursive MTH`, () => {
    for (let size = 0; size <= MAX_SIZE; size++) expect(rootAt(size, tree.getNode), `size ${size}`).toEqual(roots[size]);
  });

  it(`every inclusion proof for sizes 1..${MAX_SIZE} equals PATH and verifies`, () => {
    for (let size = 1; size <= MAX_SIZE; size++) {
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, tree.getNode);
        expect(proof, `PATH(${index}, ${size})`).toEqual(referencePath(index, leaves.slice(0, size)));
        verifyInclusion(leaves[index] as Uint8Array, index, size, proof, roots[size] as Uint8Array);
      }
    }
  });

  it(`every consistency proof between sizes 0..${MAX_SIZE} equals PROOF and verifies`, () => {
    for (let to = 0; to <= MAX_SIZE; to++) {
      for (let from = 0; from <= to; from++) {
        const proof = consistencyProof(from, to, tree.getNode);
        const expected = from === 0 ? [] : referenceConsistency(from, leaves.slice(0, to));
        expect(proof, `PROOF(${from}, ${to})`).toEqual(expected);
        verifyConsistency(from, to, roots[from] as Uint8Array, roots[to] as Uint8Array, proof);
      }
    }
  });

  it("refuses an inclusion proof for an index outside the tree with INDEX_OUT_OF_RANGE", () => {
    expectMerkleError(() => inclusionProof(5, 5, tree.getNode), "INDEX_OUT_OF_RANGE");
    expectMerkleError(() => inclusionProof(-1, 5, tree.getNode), "INDEX_OUT_OF_RANGE");
    expectMerkleError(() => inclusionProof(0.5, 5, tree.getNode), "INDEX_OUT_OF_RANGE");
    expectMerkleError(() => inclusionProof(0, 0, tree.getNode), "INDEX_OUT_OF_RANGE");
  });

  it("refuses sizes that are not safe non-negative integers with SIZE_INVALID", () => {
    expectMerkleError(() => inclusionProof(0, 1.5, tree.getNode), "SIZE_INVALID");
    expectMerkleError(() => inclusionProof(0, 2 ** 53, tree.getNode), "SIZE_INVALID");
    expectMerkleError(() => consistencyProof(-1, 3, tree.getNode), "SIZE_INVALID");
    expectMerkleError(() => rootAt(Number.NaN, tree.getNode), "SIZE_INVALID");
  });

  it("refuses a consistency proof from a larger to a smaller tree with SIZE_INVALID", () => {
    expectMerkleError(() => consistencyProof(6, 5, tree.getNode), "SIZE_INVALID");
  });

  it("reports a node the source lacks as NODE_MISSING rather than inventing a hash", () => {
    const small = createMemoryTree(leaves.slice(0, 3));
    expectMerkleError(() => inclusionProof(0, 4, small.getNode), "NODE_MISSING");
    expectMerkleError(() => consistencyProof(3, 5, small.getNode), "NODE_MISSING");
    expectMerkleError(() => small.root(4), "SIZE_INVALID");
  });
});

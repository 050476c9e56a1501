import { describe, expect, it } from "vitest";
import { createMemoryTree, rootFromInclusionProof, verifyInclusion } from "../../core/merkle";
import { expectMerkleError, flipBit } from "./mutations";
import { sampleLeafHashes } from "./rfcReference";

const MAX_SIZE = 24;
const leaves = sampleLeafHashes(MAX_SIZE, 7);
const tree = createMemoryTree(leaves);
const foreignNode = sampleLeafHashes(1, 99)[0] as Uint8Array;

function eachProof(run: (index: number, size: number, proof: Uint8Array[], root: Uint8Array, leaf: Uint8Array) => void) {
  for (let size = 1; size <= MAX_SIZE; size++) {
    const root = tree.root(size);
    for (let index = 0; index < size; index++) run(index, size, tree.inclusionProof(index, size), root, leaves[index] as Uint8Array);
  }
}

describe("verifyInclusion (RFC 9162 §2.1.3.2)", () => {
  it("accepts every honest proof and returns the root it leads to", () => {
    eachProof((index, size, proof, root, leaf) => {
      verifyInclusion(leaf, index, size, proof, root);
      expect(rootFromInclusionProof(leaf, index, size, proof)).toEqual(root);
    });
  });

  it("refuses a proof with any bit of any node flipped", () => {
    eachProof((index, size, proof, root, leaf) => {
      proof.forEach((_, at) => {
        for (const bit of [0, 131, 255]) {
          const mutated = proof.map((node, i) => (i === at ? flipBit(node, bit) : node));
          expectMerkleError(() => verifyInclusion(leaf, index, size, mutated, root), "PROOF_INVALID", `${index}/${size} node ${at}`);
        }
      });
    });
  });

  it("refuses another leaf hash, and the right leaf against another root", () => {
    eachProof((index, size, proof, root, leaf) => {
      expectMerkleError(() => verifyInclusion(flipBit(leaf, 9), index, size, proof, root), "PROOF_INVALID");
      expectMerkleError(() => verifyInclusion(leaf, index, size, proof, flipBit(root, 200)), "PROOF_INVALID");
    });
  });

  it("refuses the proof under any other leaf index of the same tree", () => {
    eachProof((index, size, proof, root, leaf) => {
      for (let other = 0; other < size; other++) {
        if (other === index) continue;
        expectMerkleError(() => verifyInclusion(leaf, other, size, proof, root), "PROOF_INVALID", `${index}->${other}/${size}`);
      }
    });
  });

  it("refuses the proof against the signed head (size and root) of any other tree size", () => {
    eachProof((index, size, proof, _root, leaf) => {
      for (let other = index + 1; other <= MAX_SIZE; other++) {
        if (other === size) continue;
        expectMerkleError(() => verifyInclusion(leaf, index, other, proof, tree.root(other)), "PROOF_INVALID", `${index}/${size}->${other}`);
      }
    });
  });

  it("refuses a truncated, extended or reordered proof", () => {
    eachProof((index, size, proof, root, leaf) => {
      const variants: Uint8Array[][] = [[...proof, foreignNode], [foreignNode, ...proof], [...proof, root]];
      if (proof.length > 0) variants.push(proof.slice(1), proof.slice(0, -1));
      if (proof.length > 1) variants.push([proof[1], proof[0], ...proof.slice(2)] as Uint8Array[]);
      for (const variant of variants) expectMerkleError(() => verifyInclusion(leaf, index, size, variant, root), "PROOF_INVALID", `${index}/${size}`);
    });
  });

  it("refuses a proof node that is not 32 bytes with PROOF_INVALID", () => {
    const proof = tree.inclusionProof(3, 8);
    const short = [proof[0]?.subarray(0, 31), ...proof.slice(1)] as Uint8Array[];
    expectMerkleError(() => verifyInclusion(leaves[3] as Uint8Array, 3, 8, short, tree.root(8)), "PROOF_INVALID");
    expectMerkleError(() => verifyInclusion(leaves[3] as Uint8Array, 3, 8, "nope" as never, tree.root(8)), "PROOF_INVALID");
  });

  it("refuses an index outside the tree with INDEX_OUT_OF_RANGE", () => {
    const root = tree.root(8);
    expectMerkleError(() => verifyInclusion(leaves[0] as Uint8Array, 8, 8, [], root), "INDEX_OUT_OF_RANGE");
    expectMerkleError(() => verifyInclusion(leaves[0] as Uint8Array, -1, 8, [], root), "INDEX_OUT_OF_RANGE");
    expectMerkleError(() => verifyInclusion(leaves[0] as Uint8Array, 0, 0, [], root), "INDEX_OUT_OF_RANGE");
  });

  it("refuses a size that is not a safe non-negative integer with SIZE_INVALID", () => {
    expectMerkleError(() => verifyInclusion(leaves[0] as Uint8Array, 0, -3, [], tree.root(1)), "SIZE_INVALID");
    expectMerkleError(() => verifyInclusion(leaves[0] as Uint8Array, 0, 2.5, [], tree.root(1)), "SIZE_INVALID");
  });

  it("refuses a root or leaf hash that is not 32 bytes with HASH_INVALID", () => {
    const leaf = leaves[0] as Uint8Array;
    expectMerkleError(() => verifyInclusion(leaf, 0, 1, [], leaf.subarray(1)), "HASH_INVALID");
    expectMerkleError(() => verifyInclusion(Uint8Array.of(...leaf, 0), 0, 1, [], leaf), "HASH_INVALID");
  });
});

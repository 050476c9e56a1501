import { describe, it } from "vitest";
import { createMemoryTree, emptyRoot, verifyConsistency } from "../../core/merkle";
import { expectMerkleError, flipBit } from "./mutations";
import { sampleLeafHashes } from "./rfcReference";

const MAX_SIZE = 20;
const tree = createMemoryTree(sampleLeafHashes(MAX_SIZE, 3));
const roots = Array.from({ length: MAX_SIZE + 1 }, (_, size) => tree.root(size));
const foreignNode = sampleLeafHashes(1, 98)[0] as Uint8Array;

/** Every pair 0 < from < to <= MAX_SIZE, where the RFC algorithm itself runs. */
function eachProperPair(run: (from: number, to: number, proof: Uint8Array[]) => void) {
  for (let to = 2; to <= MAX_SIZE; to++) for (let from = 1; from < to; from++) run(from, to, tree.consistencyProof(from, to));
}
const root = (size: number) => roots[size] as Uint8Array;

describe("verifyConsistency (RFC 9162 §2.1.4.2)", () => {
  it("accepts every honest proof, including the trivial pairs (0, n) and (n, n)", () => {
    for (let to = 0; to <= MAX_SIZE; to++) {
      for (let from = 0; from <= to; from++) verifyConsistency(from, to, root(from), root(to), tree.consistencyProof(from, to));
    }
  });

  it("refuses a proof with any node flipped", () => {
    eachProperPair((from, to, proof) => {
      proof.forEach((_, at) => {
        const mutated = proof.map((node, i) => (i === at ? flipBit(node, 77) : node));
        expectMerkleError(() => verifyConsistency(from, to, root(from), root(to), mutated), "PROOF_INVALID", `${from}->${to} node ${at}`);
      });
    });
  });

  it("refuses a wrong old root or a wrong new root", () => {
    eachProperPair((from, to, proof) => {
      expectMerkleError(() => verifyConsistency(from, to, flipBit(root(from)), root(to), proof), "PROOF_INVALID");
      expectMerkleError(() => verifyConsistency(from, to, root(from), flipBit(root(to)), proof), "PROOF_INVALID");
    });
  });

  it("refuses a truncated, extended or empty proof", () => {
    eachProperPair((from, to, proof) => {
      const variants = [[], proof.slice(1), proof.slice(0, -1), [...proof, foreignNode], [foreignNode, ...proof]];
      for (const variant of variants) {
        expectMerkleError(() => verifyConsistency(from, to, root(from), root(to), variant), "PROOF_INVALID", `${from}->${to}`);
      }
    });
  });

  it("refuses the proof for the signed heads of any other pair of sizes", () => {
    const limit = 12; // every pair against every pair: keep it quadratic in a small tree
    eachProperPair((from, to, proof) => {
      if (to > limit) return;
      for (let otherTo = 2; otherTo <= limit; otherTo++) {
        for (let otherFrom = 1; otherFrom < otherTo; otherFrom++) {
          if (otherFrom === from && otherTo === to) continue;
          expectMerkleError(
            () => verifyConsistency(otherFrom, otherTo, root(otherFrom), root(otherTo), proof),
            "PROOF_INVALID",
            `${from}->${to} as ${otherFrom}->${otherTo}`,
          );
        }
      }
    });
  });

  it("refuses a fork: a different tree of the same sizes", () => {
    const fork = createMemoryTree(sampleLeafHashes(MAX_SIZE, 4));
    eachProperPair((from, to, proof) => {
      expectMerkleError(() => verifyConsistency(from, to, root(from), fork.root(to), proof), "PROOF_INVALID");
      expectMerkleError(() => verifyConsistency(from, to, root(from), fork.root(to), fork.consistencyProof(from, to)), "PROOF_INVALID");
    });
  });

  it("refuses equal sizes with different roots or a non-empty proof", () => {
    expectMerkleError(() => verifyConsistency(5, 5, root(5), root(6), []), "PROOF_INVALID");
    expectMerkleError(() => verifyConsistency(5, 5, root(5), root(5), [foreignNode]), "PROOF_INVALID");
  });

  it("refuses size 0 with a non-empty proof or a root other than the empty root", () => {
    expectMerkleError(() => verifyConsistency(0, 5, root(0), root(5), [foreignNode]), "PROOF_INVALID");
    expectMerkleError(() => verifyConsistency(0, 5, foreignNode, root(5), []), "PROOF_INVALID");
    verifyConsistency(0, 0, emptyRoot(), emptyRoot(), []);
  });

  it("refuses sizes out of order or invalid with SIZE_INVALID", () => {
    expectMerkleError(() => verifyConsistency(6, 5, root(6), root(5), []), "SIZE_INVALID");
    expectMerkleError(() => verifyConsistency(-1, 5, root(1), root(5), []), "SIZE_INVALID");
    expectMerkleError(() => verifyConsistency(1, Number.POSITIVE_INFINITY, root(1), root(5), []), "SIZE_INVALID");
  });

  it("refuses roots that are not 32 bytes with HASH_INVALID and short proof nodes with PROOF_INVALID", () => {
    const proof = tree.consistencyProof(3, 7);
    expectMerkleError(() => verifyConsistency(3, 7, root(3).subarray(2), root(7), proof), "HASH_INVALID");
    expectMerkleError(() => verifyConsistency(3, 7, root(3), new Uint8Array(64), proof), "HASH_INVALID");
    const short = proof.map((node, i) => (i === 0 ? node.subarray(0, 16) : node));
    expectMerkleError(() => verifyConsistency(3, 7, root(3), root(7), short), "PROOF_INVALID");
  });
});

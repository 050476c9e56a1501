import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../core/bytes";
import {
  consistencyProof,
  createMemoryTree,
  emptyRoot,
  leafHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "../../core/merkle";

/**
 * Known answers from the Certificate Transparency reference tests (the eight-leaf tree of
 * the C++ log's merkle_tree_test.cc, reused by transparency-dev/merkle and Chromium's
 * ct_log_verifier_unittest.cc). Leaf indexes there are 1-based; here they are 0-based.
 */
const LEAF_DATA = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(fromHex);

const ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const INCLUSION = [
  {
    index: 0,
    size: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { index: 2, size: 3, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    index: 1,
    size: 5,
    path: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

const CONSISTENCY = [
  { from: 1, to: 1, path: [] },
  {
    from: 1,
    to: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    from: 6,
    to: 8,
    path: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    from: 2,
    to: 5,
    path: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

const LEAF_HASHES = LEAF_DATA.map(leafHash);
const root = (size: number) => fromHex(ROOTS[size] as string);

describe("RFC 6962 reference tree (Certificate Transparency test vectors)", () => {
  it("has the published empty root", () => {
    expect(toHex(emptyRoot())).toBe(ROOTS[0]);
    expect(toHex(rootFromLeafHashes([]))).toBe(ROOTS[0]);
  });

  it("has the published root at every size 1..8, computed in one pass and incrementally", () => {
    const tree = createMemoryTree();
    for (let size = 1; size <= 8; size++) {
      expect(toHex(rootFromLeafHashes(LEAF_HASHES.slice(0, size))), `size ${size}`).toBe(ROOTS[size]);
      tree.append(LEAF_HASHES[size - 1] as Uint8Array);
      expect(toHex(tree.root()), `incremental size ${size}`).toBe(ROOTS[size]);
    }
    for (let size = 0; size <= 8; size++) expect(toHex(tree.root(size)), `past size ${size}`).toBe(ROOTS[size]);
  });

  const tree = createMemoryTree(LEAF_HASHES);

  for (const vector of INCLUSION) {
    it(`generates and verifies the published inclusion proof of leaf ${vector.index} in size ${vector.size}`, () => {
      const proof = tree.inclusionProof(vector.index, vector.size);
      expect(proof.map(toHex)).toEqual(vector.path);
      const leaf = LEAF_HASHES[vector.index] as Uint8Array;
      expect(() => verifyInclusion(leaf, vector.index, vector.size, vector.path.map(fromHex), root(vector.size))).not.toThrow();
    });
  }

  for (const vector of CONSISTENCY) {
    it(`generates and verifies the published consistency proof from ${vector.from} to ${vector.to}`, () => {
      expect(consistencyProof(vector.from, vector.to, tree.getNode).map(toHex)).toEqual(vector.path);
      expect(() =>
        verifyConsistency(vector.from, vector.to, root(vector.from), root(vector.to), vector.path.map(fromHex)),
      ).not.toThrow();
    });
  }
});

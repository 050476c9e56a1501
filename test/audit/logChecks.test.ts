import { describe, expect, it } from "vitest";
import { checkConsistencyProof, checkInclusionProof, checkRootsAgainstHeads, consistencyPairs, rebuildServedLog, type ServedEntry } from "../../core/audit";
import { utf8 } from "../../core/bytes";
import { createMemoryTree, leafHash } from "../../core/merkle";
import { keyReleaseLeaf } from "../../core/releaseLog";

/** The release log's pure checks, one mutation per check. */
const leafBytes = (index: number) =>
  keyReleaseLeaf({
    time: 1_800_000_000 + index,
    kms: `0x${"44".repeat(20)}`,
    chainId: 31337,
    appRegistry: `0x${"55".repeat(20)}`,
    appId: `0x${"66".repeat(20)}`,
    instanceId: index.toString(16).padStart(2, "0"),
    composeHash: "77".repeat(32),
    platformHash: "88".repeat(32),
    tcbStatus: "UpToDate",
    advisoryIds: [],
    quoteSha256: "99".repeat(32),
    policyBlock: { number: 10, hash: `0x${"aa".repeat(32)}` },
    agentKeySha256: "bb".repeat(32),
    keyEpoch: 0,
  }).bytes;

const served = (count: number): ServedEntry[] =>
  Array.from({ length: count }, (_, index) => {
    const bytes = leafBytes(index);
    return { index, leafBytes: bytes, leafHash: leafHash(bytes) };
  });

const treeOf = (entries: ServedEntry[]) => createMemoryTree(entries.map((entry) => entry.leafHash));

describe("rebuildServedLog", () => {
  it("rebuilds an honest log with every leaf parsed and no finding", () => {
    const entries = served(7);
    const rebuilt = rebuildServedLog(entries, 7);
    expect(rebuilt.findings).toEqual([]);
    expect(rebuilt.tree.root()).toEqual(treeOf(entries).root());
    expect(rebuilt.leaves.every((leaf) => leaf?.kind === "key-release")).toBe(true);
  });

  it("reports LOG_LEAF_HASH_MISMATCH and hashes the bytes, not the claim", () => {
    const entries = served(3);
    entries[1] = { ...entries[1]!, leafHash: new Uint8Array(32) };
    const rebuilt = rebuildServedLog(entries, 3);
    expect(rebuilt.findings.map((finding) => finding.code)).toEqual(["LOG_LEAF_HASH_MISMATCH"]);
    expect(rebuilt.tree.root()).toEqual(treeOf(served(3)).root());
  });

  it("reports LOG_LEAF_UNPARSEABLE for a leaf that is not canonical JCS", () => {
    const entries = served(2);
    const spaced = utf8(`${Buffer.from(entries[1]!.leafBytes).toString("utf8")} `);
    entries[1] = { index: 1, leafBytes: spaced, leafHash: leafHash(spaced) };
    const rebuilt = rebuildServedLog(entries, 2);
    expect(rebuilt.findings).toEqual([expect.objectContaining({ code: "LOG_LEAF_UNPARSEABLE", evidence: expect.objectContaining({ errorCode: "LEAF_NOT_CANONICAL" }) })]);
    expect(rebuilt.leaves[1]).toBeUndefined();
  });

  it("reports LOG_ENTRY_MISSING at the first gap and stops there", () => {
    const entries = served(5).filter((entry) => entry.index !== 2);
    const rebuilt = rebuildServedLog(entries, 5);
    expect(rebuilt.findings).toEqual([expect.objectContaining({ code: "LOG_ENTRY_MISSING", evidence: expect.objectContaining({ leafIndex: 2 }) })]);
    expect(rebuilt.tree.size).toBe(2);
  });
});

describe("checkRootsAgainstHeads", () => {
  const entries = served(6);
  const tree = treeOf(entries);
  const anchored = (treeSize: number, rootHash = tree.root(treeSize)) => ({ treeSize, rootHash, blockNumber: 5, transactionHash: `0x${"01".repeat(32)}` });

  it("finds nothing when every anchored root and the head match", () => {
    expect(checkRootsAgainstHeads(tree, [anchored(2), anchored(6)], { treeSize: 6, rootHash: tree.root() })).toEqual([]);
  });

  it("reports LOG_ANCHOR_ROOT_MISMATCH for an anchored root the served log does not give", () => {
    const findings = checkRootsAgainstHeads(tree, [anchored(4, new Uint8Array(32).fill(1))], { treeSize: 6, rootHash: tree.root() });
    expect(findings.map((finding) => [finding.code, finding.evidence.treeSize])).toEqual([["LOG_ANCHOR_ROOT_MISMATCH", 4]]);
  });

  it("reports LOG_HEAD_ROOT_MISMATCH and LOG_HEAD_BEHIND_ANCHOR", () => {
    expect(checkRootsAgainstHeads(tree, [], { treeSize: 6, rootHash: tree.root(5) }).map((finding) => finding.code)).toEqual(["LOG_HEAD_ROOT_MISMATCH"]);
    expect(checkRootsAgainstHeads(tree, [anchored(6)], { treeSize: 5, rootHash: tree.root(5) }).map((finding) => finding.code)).toEqual(["LOG_HEAD_BEHIND_ANCHOR"]);
  });
});

describe("served proofs", () => {
  const tree = treeOf(served(9));
  const head = (size: number) => ({ treeSize: size, rootHash: tree.root(size) });

  it("accepts valid consistency and inclusion proofs", () => {
    expect(checkConsistencyProof(head(3), head(9), tree.consistencyProof(3, 9))).toBeUndefined();
    expect(checkInclusionProof(4, tree.getNode(0, 4), head(9), tree.inclusionProof(4, 9))).toBeUndefined();
  });

  it("reports LOG_CONSISTENCY_PROOF_INVALID for a proof between a fork's heads", () => {
    const fork = treeOf(served(9).reverse().map((entry, index) => ({ ...entry, index })));
    const finding = checkConsistencyProof(head(3), { treeSize: 9, rootHash: fork.root() }, fork.consistencyProof(3, 9));
    expect(finding).toMatchObject({ code: "LOG_CONSISTENCY_PROOF_INVALID", evidence: { fromTreeSize: 3, toTreeSize: 9, errorCode: "PROOF_INVALID" } });
  });

  it("reports LOG_INCLUSION_PROOF_INVALID for a proof of another leaf", () => {
    expect(checkInclusionProof(4, tree.getNode(0, 5), head(9), tree.inclusionProof(4, 9))).toMatchObject({ code: "LOG_INCLUSION_PROOF_INVALID", evidence: { leafIndex: 4 } });
  });

  it("pairs every anchored checkpoint with the next, and the last with a larger head", () => {
    const pairs = consistencyPairs([{ ...head(6), blockNumber: 2, transactionHash: "0x" }, { ...head(3), blockNumber: 1, transactionHash: "0x" }], head(9));
    expect(pairs.map(([from, to]) => [from.treeSize, to.treeSize])).toEqual([
      [3, 6],
      [6, 9],
    ]);
    expect(consistencyPairs([], head(9))).toEqual([]);
  });
});

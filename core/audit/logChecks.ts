/**
 * The release log's checks, as pure functions over what the KMS served and what the chain
 * anchored. The auditor trusts neither side's word: it rebuilds the tree from the served leaf
 * bytes, compares that tree with every root anchored on chain and with the signed tree head,
 * and checks the KMS's own proofs against those roots.
 */
import { bytesEqual, toHex, toHex0x } from "../bytes";
import { isBaseError } from "../errors";
import { createMemoryTree, leafHash as merkleLeafHash, verifyConsistency, verifyInclusion, type MemoryTree } from "../merkle";
import { parseLeaf, type ReleaseLeaf } from "../releaseLog";
import { finding, type Finding } from "./findings";

export interface ServedEntry {
  readonly index: number;
  /** The leaf hash the KMS claims. */
  readonly leafHash: Uint8Array;
  /** The leaf bytes (its JCS text). */
  readonly leafBytes: Uint8Array;
}

/** A tree head: one the KMS signed, or one it anchored on chain. */
export interface TreeHead {
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
}

export interface AnchoredCheckpoint extends TreeHead {
  readonly blockNumber: number;
  readonly transactionHash: string;
}

export interface RebuiltLog {
  /** The tree of the contiguous served prefix, hashed from the leaf bytes. */
  readonly tree: MemoryTree;
  /** Parsed leaves by index; undefined where a leaf does not parse. */
  readonly leaves: ReadonlyArray<ReleaseLeaf | undefined>;
  readonly findings: Finding[];
}

/**
 * Rebuilds the log from served entries, which must be exactly indexes 0..expectedSize-1 in
 * order. Each leaf hash is recomputed from the bytes (the claimed hash is only compared). The
 * rebuild stops at the first missing index: what follows cannot be placed in the tree.
 */
export function rebuildServedLog(entries: readonly ServedEntry[], expectedSize: number): RebuiltLog {
  const tree = createMemoryTree();
  const leaves: Array<ReleaseLeaf | undefined> = [];
  const findings: Finding[] = [];
  for (const entry of entries) {
    if (tree.size >= expectedSize) break;
    if (entry.index !== tree.size) break;
    const computed = merkleLeafHash(entry.leafBytes);
    if (!bytesEqual(computed, entry.leafHash)) {
      findings.push(
        finding("LOG_LEAF_HASH_MISMATCH", `entry ${entry.index}'s leaf hash is not the hash of its leaf`, {
          leafIndex: entry.index,
          claimedLeafHash: toHex(entry.leafHash),
          computedLeafHash: toHex(computed),
        }),
      );
    }
    tree.append(computed);
    try {
      leaves.push(parseLeaf(entry.leafBytes).leaf);
    } catch (error) {
      leaves.push(undefined);
      findings.push(
        finding("LOG_LEAF_UNPARSEABLE", `entry ${entry.index} is not a canonical v1 leaf`, {
          leafIndex: entry.index,
          errorCode: isBaseError(error) ? error.code : "ERROR",
          leaf: Buffer.from(entry.leafBytes).toString("utf8").slice(0, 2048),
        }),
      );
    }
  }
  if (tree.size < expectedSize) {
    findings.push(
      finding("LOG_ENTRY_MISSING", `entry ${tree.size} of ${expectedSize} was not served`, {
        leafIndex: tree.size,
        treeSize: expectedSize,
        servedIndexes: entries.slice(0, 5).map((entry) => entry.index),
      }),
    );
  }
  return { tree, leaves, findings };
}

/** The rebuilt tree against every anchored checkpoint and the signed tree head. */
export function checkRootsAgainstHeads(tree: MemoryTree, anchored: readonly AnchoredCheckpoint[], head: TreeHead): Finding[] {
  const findings: Finding[] = [];
  const largest = anchored.reduce((max, checkpoint) => Math.max(max, checkpoint.treeSize), 0);
  if (head.treeSize < largest) {
    findings.push(
      finding("LOG_HEAD_BEHIND_ANCHOR", `the KMS's tree head has ${head.treeSize} leaves, but it anchored ${largest}`, {
        headTreeSize: head.treeSize,
        anchoredTreeSize: largest,
      }),
    );
  }
  for (const checkpoint of anchored) {
    if (checkpoint.treeSize > tree.size) continue; // not served: reported as missing entries
    const rebuilt = tree.root(checkpoint.treeSize);
    if (!bytesEqual(rebuilt, checkpoint.rootHash)) {
      findings.push(
        finding("LOG_ANCHOR_ROOT_MISMATCH", `the served log's root at size ${checkpoint.treeSize} is not the root anchored on chain`, {
          treeSize: checkpoint.treeSize,
          anchoredRoot: toHex0x(checkpoint.rootHash),
          servedRoot: toHex0x(rebuilt),
          anchoredInBlock: checkpoint.blockNumber,
          anchorTransaction: checkpoint.transactionHash,
        }),
      );
    }
  }
  if (head.treeSize <= tree.size) {
    const rebuilt = tree.root(head.treeSize);
    if (!bytesEqual(rebuilt, head.rootHash)) {
      findings.push(
        finding("LOG_HEAD_ROOT_MISMATCH", `the served log's root at size ${head.treeSize} is not the signed tree head`, {
          treeSize: head.treeSize,
          signedRoot: toHex0x(head.rootHash),
          servedRoot: toHex0x(rebuilt),
        }),
      );
    }
  }
  return findings;
}

/** A served consistency proof between two heads; a failure means the two are not one log. */
export function checkConsistencyProof(from: TreeHead, to: TreeHead, proof: readonly Uint8Array[]): Finding | undefined {
  try {
    verifyConsistency(from.treeSize, to.treeSize, from.rootHash, to.rootHash, proof);
    return undefined;
  } catch (error) {
    return finding("LOG_CONSISTENCY_PROOF_INVALID", `no valid consistency proof from size ${from.treeSize} to ${to.treeSize}: a fork`, {
      fromTreeSize: from.treeSize,
      fromRoot: toHex0x(from.rootHash),
      toTreeSize: to.treeSize,
      toRoot: toHex0x(to.rootHash),
      proof: proof.map(toHex),
      errorCode: isBaseError(error) ? error.code : "ERROR",
    });
  }
}

/** A served inclusion proof of leaf `index` (hash recomputed from its bytes) in `head`. */
export function checkInclusionProof(index: number, leafHash: Uint8Array, head: TreeHead, proof: readonly Uint8Array[]): Finding | undefined {
  try {
    verifyInclusion(leafHash, index, head.treeSize, proof, head.rootHash);
    return undefined;
  } catch (error) {
    return finding("LOG_INCLUSION_PROOF_INVALID", `the inclusion proof of leaf ${index} does not lead to the root of size ${head.treeSize}`, {
      leafIndex: index,
      leafHash: toHex(leafHash),
      treeSize: head.treeSize,
      rootHash: toHex0x(head.rootHash),
      proof: proof.map(toHex),
      errorCode: isBaseError(error) ? error.code : "ERROR",
    });
  }
}

/** The pairs of heads a consistency proof must link: each anchored checkpoint to the next, the last to the head. */
export function consistencyPairs(anchored: readonly AnchoredCheckpoint[], head: TreeHead): Array<[TreeHead, TreeHead]> {
  const heads: TreeHead[] = [...anchored].filter((checkpoint) => checkpoint.treeSize > 0).sort((a, b) => a.treeSize - b.treeSize);
  const last = heads[heads.length - 1];
  if (!last || head.treeSize > last.treeSize) heads.push(head);
  const pairs: Array<[TreeHead, TreeHead]> = [];
  for (let index = 1; index < heads.length; index += 1) pairs.push([heads[index - 1]!, heads[index]!]);
  return pairs;
}

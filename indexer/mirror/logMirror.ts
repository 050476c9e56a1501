/**
 * Mirrors one KMS's release log through its public API, verifying before it stores:
 * - the signed tree head (signature by the KMS identity), never smaller than one seen before;
 * - the new entries: contiguous, each leaf hash recomputed from the leaf, the new root equal to
 *   the signed head's, and the KMS's consistency proof from the last verified head;
 * - every checkpoint the chain anchored for that identity, against the mirrored tree;
 * - every leaf's decision at its policy block (judgeMirroredLeaves.ts).
 * Anything that fails is an alarm (API, metrics, the web page's status), never dropped, and the
 * mirror does not store past it.
 */
import {
  checkConsistencyProof,
  finding,
  type BlockHeader,
  type Finding,
  type KmsLogClient,
  type ServedEntry,
  type SignedTreeHead,
} from "../../core/audit";
import { bytesEqual, toHex, toHex0x } from "../../core/bytes";
import type { Deployment } from "../../core/chain/deployment";
import { platformPolicyDomain } from "../../core/contracts/typedData";
import { createMemoryTree, frontierAt, leafHash as merkleLeafHash, pushLeaf, rootFromFrontier, type MemoryTree } from "../../core/merkle";
import type { Hex } from "../../core/policy";
import { parseLeaf, recoverCheckpointSigner } from "../../core/releaseLog";
import type { ChainQueries } from "../db/chainQueries";
import type { PolicyStateCache } from "../policyStateCache";
import { judgeMirroredLeaves } from "./judgeMirroredLeaves";
import type { MirroredEntry, MirrorStore, VerifiedHead } from "./mirrorStore";

export interface LogMirrorStatus {
  readonly url: string;
  readonly reachable: boolean;
  readonly lastError: string | null;
  readonly lastAttemptAt: number | null;
  readonly mirroredSize: number;
  readonly head: { treeSize: number; rootHash: Hex; kms: Hex } | null;
}

export interface LogMirror {
  tick(): Promise<LogMirrorStatus>;
  status(): LogMirrorStatus;
  /** The verified tree, for inclusion and consistency proofs. */
  tree(): MemoryTree;
  latestHead(): VerifiedHead | undefined;
}

export interface LogMirrorOptions {
  readonly client: KmsLogClient;
  readonly store: MirrorStore;
  readonly chain: ChainQueries;
  readonly policy: PolicyStateCache;
  readonly deployment: Deployment;
  readonly header: (blockNumber: number) => Promise<BlockHeader | null>;
  readonly now?: () => number;
  readonly pageSize?: number;
}

export function createLogMirror(options: LogMirrorOptions): LogMirror {
  const { client, store, deployment } = options;
  const now = options.now ?? Date.now;
  const tree = createMemoryTree(store.leafHashes());
  const domain = platformPolicyDomain(deployment.chainId, deployment.contracts.PlatformPolicy.address as Hex);
  let status: LogMirrorStatus = { url: client.baseUrl, reachable: false, lastError: null, lastAttemptAt: null, mirroredSize: tree.size, head: null };

  const alarm = (problem: Finding, dedupeKey: string, checkpoint: string | null = null) => store.raise(problem, dedupeKey, checkpoint, now());

  const signatureValid = async (head: SignedTreeHead): Promise<boolean> => {
    try {
      const signer = await recoverCheckpointSigner({ treeSize: head.treeSize, rootHash: toHex0x(head.rootHash), signature: head.signature }, domain);
      return signer.toLowerCase() === head.kms;
    } catch {
      return false;
    }
  };

  /** Fetches and checks entries [from, to); undefined (with an alarm) when they cannot be stored. The root is checked by the caller. */
  const fetchNew = async (from: number, to: number): Promise<MirroredEntry[] | undefined> => {
    const entries: MirroredEntry[] = [];
    while (from + entries.length < to) {
      const next = from + entries.length;
      const page: ServedEntry[] = await client.entries(next, Math.min(to, next + (options.pageSize ?? 1000)));
      if (page.length === 0 || page[0]!.index !== next) {
        alarm(finding("LOG_ENTRY_MISSING", `the log did not serve entry ${next} of ${to}`, { leafIndex: next, treeSize: to }), `missing:${next}:${to}`);
        return undefined;
      }
      for (const entry of page) {
        const index = from + entries.length;
        if (index >= to) break;
        if (entry.index !== index) {
          alarm(finding("LOG_ENTRY_MISSING", `the log did not serve entry ${index} of ${to}`, { leafIndex: index, treeSize: to }), `missing:${index}:${to}`);
          return undefined;
        }
        const computed = merkleLeafHash(entry.leafBytes);
        if (!bytesEqual(computed, entry.leafHash)) {
          const evidence = { leafIndex: index, claimedLeafHash: toHex(entry.leafHash), computedLeafHash: toHex(computed) };
          alarm(finding("LOG_LEAF_HASH_MISMATCH", `entry ${index}'s leaf hash is not the hash of its leaf`, evidence), `leafhash:${index}`);
          return undefined;
        }
        let leaf: MirroredEntry["leaf"];
        try {
          leaf = parseLeaf(entry.leafBytes).leaf;
        } catch {
          leaf = undefined;
          alarm(finding("LOG_LEAF_UNPARSEABLE", `entry ${index} is not a canonical v1 leaf`, { leafIndex: index }), `unparseable:${index}`);
        }
        entries.push({ index, leafHash: computed, body: entry.leafBytes, leaf });
      }
    }
    return entries;
  };

  const rootAfter = (entries: readonly MirroredEntry[]): Uint8Array => {
    const frontier = frontierAt(tree.size, tree.getNode);
    entries.forEach((entry) => pushLeaf(frontier, entry.index, entry.leafHash));
    return rootFromFrontier(frontier);
  };

  const checkAnchors = (kms: Hex, head: VerifiedHead): void => {
    for (const anchored of options.chain.anchoredCheckpoints(kms)) {
      if (store.anchorChecked(anchored.checkpoint)) continue;
      if (anchored.treeSize > head.treeSize) {
        alarm(
          finding("LOG_HEAD_BEHIND_ANCHOR", `the KMS's tree head has ${head.treeSize} leaves, but it anchored ${anchored.treeSize}`, {
            headTreeSize: head.treeSize,
            anchoredTreeSize: anchored.treeSize,
            anchoredInBlock: anchored.blockNumber,
          }),
          `behind:${anchored.checkpoint}:${head.treeSize}`,
          anchored.checkpoint,
        );
        continue;
      }
      if (anchored.treeSize > tree.size) continue;
      const mirrored = tree.root(anchored.treeSize);
      const matches = toHex0x(mirrored) === anchored.rootHash;
      store.recordAnchorCheck(anchored.checkpoint, anchored.treeSize, matches);
      if (!matches) {
        alarm(
          finding("LOG_ANCHOR_ROOT_MISMATCH", `the mirrored log's root at size ${anchored.treeSize} is not the root anchored on chain`, {
            treeSize: anchored.treeSize,
            anchoredRoot: anchored.rootHash,
            servedRoot: toHex0x(mirrored),
            anchoredInBlock: anchored.blockNumber,
            anchorTransaction: anchored.transactionHash,
          }),
          `anchor:${anchored.checkpoint}`,
          anchored.checkpoint,
        );
      }
    }
  };

  const mirrorHead = async (head: SignedTreeHead): Promise<void> => {
    const previous = store.latestHead();
    if (!(await signatureValid(head))) {
      const evidence = { treeSize: head.treeSize, rootHash: toHex0x(head.rootHash), kms: head.kms, signature: head.signature };
      alarm(finding("LOG_HEAD_SIGNATURE_INVALID", `the tree head of size ${head.treeSize} is not signed by ${head.kms}`, evidence), `signature:${head.signature}`);
      return;
    }
    if (previous && previous.kms !== head.kms) {
      alarm(finding("LOG_KMS_UNKNOWN", `the log now serves ${head.kms}'s tree, it was ${previous.kms}'s`, { kms: head.kms, mirroredKms: previous.kms }), `kms:${head.kms}`);
      return;
    }
    if (previous && head.treeSize < previous.treeSize) {
      const evidence = { treeSize: head.treeSize, rootHash: toHex0x(head.rootHash), previousTreeSize: previous.treeSize, previousRoot: toHex0x(previous.rootHash), signature: head.signature };
      alarm(finding("LOG_HEAD_ROLLED_BACK", `the KMS signs ${head.treeSize} leaves after signing ${previous.treeSize}`, evidence), `rollback:${head.treeSize}:${previous.treeSize}`);
      return;
    }
    if (head.treeSize > tree.size) {
      const entries = await fetchNew(tree.size, head.treeSize);
      if (!entries) return;
      const root = rootAfter(entries);
      if (!bytesEqual(root, head.rootHash)) {
        const evidence = { treeSize: head.treeSize, signedRoot: toHex0x(head.rootHash), servedRoot: toHex0x(root), signature: head.signature };
        alarm(finding("LOG_HEAD_ROOT_MISMATCH", `the served entries do not give the signed root at size ${head.treeSize}`, evidence), `headroot:${head.treeSize}:${toHex(head.rootHash)}`);
        return;
      }
      if (previous && previous.treeSize > 0) {
        const problem = checkConsistencyProof(previous, head, await client.consistencyProof(previous.treeSize, head.treeSize));
        if (problem) alarm(problem, `consistency:${previous.treeSize}:${head.treeSize}`);
      }
      store.append(entries, { ...head, fetchedAt: now() });
      for (const entry of entries) tree.append(entry.leafHash);
    } else if (head.treeSize > 0 && !bytesEqual(tree.root(head.treeSize), head.rootHash)) {
      const evidence = { treeSize: head.treeSize, signedRoot: toHex0x(head.rootHash), mirroredRoot: toHex0x(tree.root(head.treeSize)), signature: head.signature };
      alarm(finding("LOG_HEAD_ROOT_MISMATCH", `the KMS signs another root at size ${head.treeSize} than the one it signed before`, evidence), `headroot:${head.treeSize}:${toHex(head.rootHash)}`);
    }
  };

  /** Checks on what is verified, whatever the new head was: anchors and decisions. */
  const checkVerified = async (): Promise<void> => {
    const verified = store.latestHead();
    if (!verified) return;
    checkAnchors(verified.kms, verified);
    await judgeMirroredLeaves({ store, policy: options.policy, deployment, kms: verified.kms, header: options.header });
  };

  return {
    async tick() {
      const attemptAt = now();
      try {
        const head = await client.checkpoint();
        await mirrorHead(head);
        await checkVerified();
        const verified = store.latestHead();
        status = {
          url: client.baseUrl,
          reachable: true,
          lastError: null,
          lastAttemptAt: attemptAt,
          mirroredSize: tree.size,
          head: verified ? { treeSize: verified.treeSize, rootHash: toHex0x(verified.rootHash), kms: verified.kms } : null,
        };
      } catch (error) {
        status = { ...status, reachable: false, lastError: error instanceof Error ? (error.message.split("\n")[0] ?? "error") : String(error), lastAttemptAt: attemptAt };
      }
      return status;
    },
    status: () => status,
    tree: () => tree,
    latestHead: () => store.latestHead(),
  };
}

/**
 * `audit log`: one KMS's release log against the chain, trusting neither the KMS nor an indexer.
 * In order:
 * 1. the signed tree head: a valid signature by a KMS identity the chain knows;
 * 2. the entries: every index served, every leaf hash recomputed, every leaf canonical;
 * 3. the rebuilt tree against every checkpoint anchored on chain and the signed head, and the
 *    KMS's consistency proofs between them (a fork fails here), and any on-chain conflict;
 * 4. every leaf's inclusion proof, as the KMS serves it to agents;
 * 5. every leaf's decision, re-evaluated against the policy at its policy block.
 * The chain is read by the caller (events up to a block read *after* the tree head, so every
 * honest policy block is on it) and passed in with a header reader.
 */
import { fromHex, toHex0x } from "../bytes";
import type { Deployment } from "../chain/deployment";
import { platformPolicyDomain } from "../contracts/typedData";
import { isBaseError } from "../errors";
import type { CheckpointRecordedEvent, Hex, PolicyEvent, PolicyState } from "../policy";
import { recoverCheckpointSigner, type ReleaseLeaf } from "../releaseLog";
import { finding, MISBEHAVIOUR_CODES, type Finding } from "./findings";
import { judgeLeaf } from "./judgeLeaf";
import { fetchEntries, type KmsLogClient, type SignedTreeHead } from "./kmsLogClient";
import {
  checkConsistencyProof,
  checkInclusionProof,
  checkRootsAgainstHeads,
  consistencyPairs,
  rebuildServedLog,
  type AnchoredCheckpoint,
} from "./logChecks";
import type { KeyReleaseRecord } from "./periodReport";
import { createPlatformCursor } from "./platformCursor";
import type { BlockHeader } from "./rpc/getBlockHeaders";

export interface AuditReleaseLogInput {
  readonly client: KmsLogClient;
  readonly deployment: Deployment;
  /** The tree head, read before the chain. */
  readonly head: SignedTreeHead;
  /** Every policy event up to `chainHead`, in chain order, and the state they replay to. */
  readonly events: readonly PolicyEvent[];
  readonly history: PolicyState;
  readonly chainHead: number;
  /** Canonical headers of the given block numbers (all at most `chainHead`). */
  readonly readHeaders: (numbers: readonly number[]) => Promise<ReadonlyMap<number, BlockHeader>>;
  /** Verify the served inclusion proof of every leaf (default true). */
  readonly checkInclusionProofs?: boolean;
  readonly onProgress?: (step: string) => void;
}

export interface ReleaseLogAudit {
  readonly kms: Hex;
  readonly treeSize: number;
  readonly rootHash: Hex;
  readonly anchored: readonly AnchoredCheckpoint[];
  readonly entriesChecked: number;
  readonly leavesJudged: number;
  /** Every finding; those with a MISBEHAVIOUR_CODES code are also in `misbehaviour`. */
  readonly findings: readonly Finding[];
  readonly misbehaviour: readonly Finding[];
  /** The log's key releases, for period reports. */
  readonly keyReleases: readonly KeyReleaseRecord[];
}

const PROOF_CONCURRENCY = 16;

function anchoredCheckpointsOf(events: readonly PolicyEvent[], kms: Hex): AnchoredCheckpoint[] {
  return events
    .filter((event): event is CheckpointRecordedEvent => event.kind === "CheckpointRecorded" && event.kms === kms)
    .map((event) => ({
      treeSize: Number(event.treeSize),
      rootHash: fromHex(event.rootHash),
      blockNumber: Number(event.blockNumber),
      transactionHash: event.transactionHash,
    }));
}

async function checkHead(input: AuditReleaseLogInput): Promise<Finding[]> {
  const { head, deployment, history } = input;
  const findings: Finding[] = [];
  const domain = platformPolicyDomain(deployment.chainId, deployment.contracts.PlatformPolicy.address as Hex);
  try {
    const signer = await recoverCheckpointSigner({ treeSize: head.treeSize, rootHash: toHex0x(head.rootHash), signature: head.signature }, domain);
    if (signer.toLowerCase() !== head.kms) throw new Error(`signed by ${signer}`);
  } catch (error) {
    findings.push(
      finding("LOG_HEAD_SIGNATURE_INVALID", `the tree head of size ${head.treeSize} is not signed by ${head.kms}`, {
        treeSize: head.treeSize,
        rootHash: toHex0x(head.rootHash),
        kms: head.kms,
        signature: head.signature,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  }
  if (!history.platform.kmsIdentities.has(head.kms)) {
    findings.push(finding("LOG_KMS_UNKNOWN", `${head.kms} was never registered as a KMS identity`, { kms: head.kms }));
  }
  for (const conflict of history.platform.conflicts.filter((entry) => entry.kms === head.kms)) {
    findings.push(
      finding("LOG_CHECKPOINT_CONFLICT", `${head.kms} signed two roots for tree size ${conflict.treeSize}`, {
        treeSize: Number(conflict.treeSize),
        recordedRoot: conflict.recordedRoot,
        conflictingRoot: conflict.conflictingRoot,
        signature: conflict.signature,
        blockNumber: Number(conflict.blockNumber),
        transactionHash: conflict.transactionHash,
      }),
    );
  }
  return findings;
}

async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PROOF_CONCURRENCY, items.length) }, worker));
}

/** A proof the KMS would not serve is itself a finding: it cannot back what it signed. */
async function servedProof(fetchProof: () => Promise<Uint8Array[]>): Promise<Uint8Array[] | { error: string }> {
  try {
    return await fetchProof();
  } catch (error) {
    if (isBaseError(error)) return { error: `${error.code}: ${error.message}` };
    throw error;
  }
}

async function judgeLeaves(input: AuditReleaseLogInput, leaves: ReadonlyArray<ReleaseLeaf | undefined>): Promise<{ findings: Finding[]; judged: number }> {
  const { deployment, head, events, history, chainHead } = input;
  const judged = leaves.flatMap((leaf, index) => (leaf ? [{ leaf, index }] : []));
  judged.sort((a, b) => a.leaf.policyBlock.number - b.leaf.policyBlock.number || a.index - b.index);
  const known = [...new Set(judged.map(({ leaf }) => leaf.policyBlock.number))].filter((number) => number <= chainHead);
  const headers = await input.readHeaders(known);
  const cursor = createPlatformCursor(events);
  const findings: Finding[] = [];
  for (const { leaf, index } of judged) {
    const header = headers.get(leaf.policyBlock.number);
    findings.push(
      ...judgeLeaf(index, leaf, {
        chainId: deployment.chainId,
        appRegistry: deployment.contracts.AppRegistry.address.toLowerCase() as Hex,
        kms: head.kms,
        history,
        platformAtBlock: header ? cursor.stateAt(BigInt(header.number)) : null,
        policyBlock: {
          number: leaf.policyBlock.number,
          claimedHash: leaf.policyBlock.hash as Hex,
          canonical: header ? { hash: header.hash, timestamp: header.timestamp } : null,
        },
      }),
    );
  }
  findings.sort((a, b) => (a.evidence.leafIndex as number) - (b.evidence.leafIndex as number));
  return { findings, judged: judged.length };
}

function keyReleaseRecords(leaves: ReadonlyArray<ReleaseLeaf | undefined>, kms: Hex): KeyReleaseRecord[] {
  const records: KeyReleaseRecord[] = [];
  leaves.forEach((leaf, leafIndex) => {
    if (leaf?.kind !== "key-release") return;
    records.push({
      leafIndex,
      kms,
      time: leaf.time,
      appId: leaf.appId as Hex,
      composeHash: `0x${leaf.composeHash}` as Hex,
      instanceId: leaf.instanceId,
      policyBlock: leaf.policyBlock.number,
    });
  });
  return records;
}

export async function auditReleaseLog(input: AuditReleaseLogInput): Promise<ReleaseLogAudit> {
  const { client, head } = input;
  const findings: Finding[] = await checkHead(input);
  const anchored = anchoredCheckpointsOf(input.events, head.kms);

  input.onProgress?.(`fetching ${head.treeSize} entries`);
  const entries = await fetchEntries(client, 0, head.treeSize);
  const rebuilt = rebuildServedLog(entries, head.treeSize);
  findings.push(...rebuilt.findings, ...checkRootsAgainstHeads(rebuilt.tree, anchored, head));

  input.onProgress?.("checking consistency proofs");
  for (const [from, to] of consistencyPairs(anchored, head)) {
    const proof = await servedProof(() => client.consistencyProof(from.treeSize, to.treeSize));
    const problem = Array.isArray(proof)
      ? checkConsistencyProof(from, to, proof)
      : finding("LOG_CONSISTENCY_PROOF_INVALID", `the log did not serve a consistency proof from size ${from.treeSize} to ${to.treeSize}: ${proof.error}`, {
          fromTreeSize: from.treeSize,
          fromRoot: toHex0x(from.rootHash),
          toTreeSize: to.treeSize,
          toRoot: toHex0x(to.rootHash),
          served: proof.error,
        });
    if (problem) findings.push(problem);
  }

  if (input.checkInclusionProofs ?? true) {
    input.onProgress?.(`checking ${rebuilt.tree.size} inclusion proofs`);
    const indexes = Array.from({ length: Math.min(rebuilt.tree.size, head.treeSize) }, (_, index) => index);
    const inclusionFindings: Finding[] = [];
    await inParallel(indexes, async (index) => {
      const leafHash = rebuilt.tree.getNode(0, index);
      const proof = await servedProof(() => client.inclusionProof(index, head.treeSize));
      const problem = Array.isArray(proof)
        ? checkInclusionProof(index, leafHash, head, proof)
        : finding("LOG_INCLUSION_PROOF_INVALID", `the log did not serve the inclusion proof of leaf ${index}: ${proof.error}`, {
            leafIndex: index,
            treeSize: head.treeSize,
            served: proof.error,
          });
      if (problem) inclusionFindings.push(problem);
    });
    inclusionFindings.sort((a, b) => (a.evidence.leafIndex as number) - (b.evidence.leafIndex as number));
    findings.push(...inclusionFindings);
  }

  input.onProgress?.("re-evaluating every leaf's decision");
  const judged = await judgeLeaves(input, rebuilt.leaves);
  findings.push(...judged.findings);
  return {
    kms: head.kms,
    treeSize: head.treeSize,
    rootHash: toHex0x(head.rootHash),
    anchored,
    entriesChecked: rebuilt.tree.size,
    leavesJudged: judged.judged,
    findings,
    misbehaviour: findings.filter((entry) => MISBEHAVIOUR_CODES.has(entry.code)),
    keyReleases: keyReleaseRecords(rebuilt.leaves, head.kms),
  };
}

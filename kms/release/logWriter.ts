import type { LocalAccount } from "viem";
import type { ContractDomain } from "../../core/contracts/typedData";
import { type SignedCheckpoint, signCheckpoint } from "../../core/releaseLog/checkpoint";
import type { GroupCommitter, ReleaseLog, StoredCheckpoint } from "../log";

/**
 * Appends a leaf through the group committer and returns everything a receipt needs. The
 * promise settles only after the leaf's batch is committed (synchronous=FULL), so a caller
 * that answers after it has its leaf on disk; a failed commit rejects with
 * `LOG_APPEND_FAILED` and the caller releases nothing.
 *
 * One EIP-712 `Checkpoint(treeSize, rootHash)` is signed per committed batch, not per
 * request: every leaf of a batch shares the batch's tree head, so the first caller signs and
 * the others reuse that signature. The inclusion proof ties each leaf to it.
 *
 * Signed checkpoints are recorded in the log's checkpoints table (what the anchorer
 * anchors) at most once per `recordIntervalMs`, newest first: each record is a durable
 * write, and a head that is skipped is still covered by the next one (the log only grows,
 * and the receipts that carry it verify on their own). `close()` records the last one.
 */
export interface CommittedLeaf {
  index: number;
  leafHash: Uint8Array;
  treeSize: number;
  rootHash: Uint8Array;
  inclusionProof: Uint8Array[];
  checkpoint: SignedCheckpoint;
}

export interface LogWriter {
  append(leafBytes: Uint8Array): Promise<CommittedLeaf>;
  /** The newest signed checkpoint, recorded or about to be (for GET /v1/log/checkpoint and /health). */
  latestCheckpoint(): StoredCheckpoint | undefined;
  /** Records the pending checkpoint now. */
  close(): void;
}

export interface LogWriterOptions {
  log: ReleaseLog;
  committer: GroupCommitter;
  identity: LocalAccount;
  /** `platformPolicyDomain(chainId, PlatformPolicy)`: what the anchor contract recovers. */
  domain: ContractDomain;
  /** Most one checkpoint record per this many ms (default 200; 0 records every batch's head). */
  recordIntervalMs?: number;
  /** Called after a checkpoint is recorded (the anchorer listens). */
  onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
  onRecordError?: (error: unknown) => void;
  now?: () => number;
}

/** Tree heads whose signatures are kept for callers of the same batch still settling. */
const KEPT_SIGNATURES = 64;

export function createLogWriter(options: LogWriterOptions): LogWriter {
  const { log, committer, identity, domain } = options;
  const recordIntervalMs = options.recordIntervalMs ?? 200;
  const now = options.now ?? Date.now;
  const signatures = new Map<number, Promise<SignedCheckpoint>>();
  let pending: { signed: SignedCheckpoint; signedAt: number } | undefined;
  let timer: NodeJS.Timeout | undefined;

  const recordPending = () => {
    timer = undefined;
    const toRecord = pending;
    pending = undefined;
    if (!toRecord) return;
    try {
      const stored = log.recordCheckpoint(toRecord.signed, toRecord.signedAt);
      options.onCheckpoint?.(stored);
    } catch (error) {
      options.onRecordError?.(error);
    }
  };

  const schedule = (signed: SignedCheckpoint) => {
    if (pending && pending.signed.treeSize >= signed.treeSize) return;
    pending = { signed, signedAt: now() };
    if (recordIntervalMs === 0) recordPending();
    else timer ??= setTimeout(recordPending, recordIntervalMs);
  };

  const checkpointFor = (treeSize: number, rootHash: Uint8Array): Promise<SignedCheckpoint> => {
    const known = signatures.get(treeSize);
    if (known) return known;
    const signing = signCheckpoint(identity, domain, treeSize, rootHash).then((signed) => {
      schedule(signed);
      return signed;
    });
    signing.catch(() => signatures.delete(treeSize));
    signatures.set(treeSize, signing);
    if (signatures.size > KEPT_SIGNATURES) signatures.delete(signatures.keys().next().value as number);
    return signing;
  };

  return {
    append: async (leafBytes) => {
      const committed = await committer.append(leafBytes);
      const checkpoint = await checkpointFor(committed.treeSize, committed.rootHash);
      return {
        index: committed.index,
        leafHash: committed.leafHash,
        treeSize: committed.treeSize,
        rootHash: committed.rootHash,
        inclusionProof: log.inclusionProof(committed.index, committed.treeSize),
        checkpoint,
      };
    },
    latestCheckpoint: () => {
      const recorded = log.latestCheckpoint();
      if (!pending || (recorded && recorded.treeSize >= pending.signed.treeSize)) return recorded;
      return { ...pending.signed, signedAt: pending.signedAt, anchoredTx: null, anchoredBlock: null };
    },
    close: () => {
      if (timer) clearTimeout(timer);
      recordPending();
    },
  };
}

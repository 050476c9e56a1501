/**
 * The audit status the web page shows: green, or red with every reason. Red means something an
 * auditor must look at: a release-log alarm (gap, inconsistency, fork), a leaf the policy did not
 * allow (KMS misbehaviour), a checkpoint conflict on chain, or a mirrored log whose KMS is not a
 * registered identity. Sync lag and an unreachable log are reported but are not, alone, red.
 */
import type { ChainQueries } from "./db/chainQueries";
import type { LogMirror } from "./mirror/logMirror";
import type { MirrorStore } from "./mirror/mirrorStore";

export interface AuditReason {
  readonly code: string;
  readonly message: string;
  readonly evidence: Record<string, unknown>;
}

export interface AuditStatus {
  readonly status: "green" | "red";
  readonly reasons: readonly AuditReason[];
  readonly syncedBlock: number;
  readonly chainHead: number | null;
  readonly log: {
    readonly mirrored: boolean;
    readonly reachable: boolean | null;
    readonly lastError: string | null;
    readonly kms: string | null;
    readonly treeSize: number;
    readonly leavesJudged: number;
    readonly unanchoredEntries: number | null;
  };
}

export function computeAuditStatus(deps: { chain: ChainQueries; store: MirrorStore; mirror?: LogMirror; chainHead: number | null }): AuditStatus {
  const reasons: AuditReason[] = [];
  for (const alarm of deps.store.alarms()) reasons.push({ code: alarm.code, message: alarm.message, evidence: alarm.evidence });
  for (const violation of deps.store.violations()) {
    for (const entry of violation.findings) reasons.push({ code: entry.code, message: entry.message, evidence: entry.evidence });
  }
  for (const conflict of deps.chain.conflicts()) {
    reasons.push({
      code: "LOG_CHECKPOINT_CONFLICT",
      message: `${conflict.kms} signed two roots for tree size ${conflict.treeSize} (block ${conflict.blockNumber})`,
      evidence: { ...conflict },
    });
  }
  const head = deps.store.latestHead();
  if (head && !deps.chain.identityChanges().some((change) => change.kms === head.kms && change.active)) {
    reasons.push({ code: "LOG_KMS_UNKNOWN", message: `the mirrored log is signed by ${head.kms}, which was never a registered KMS identity`, evidence: { kms: head.kms } });
  }
  const anchored = head ? deps.chain.anchoredCheckpoints(head.kms) : [];
  const lastAnchored = anchored.reduce((max, checkpoint) => Math.max(max, checkpoint.treeSize), 0);
  const mirror = deps.mirror?.status();
  const counts = deps.store.verdictCounts();
  return {
    status: reasons.length === 0 ? "green" : "red",
    reasons,
    syncedBlock: deps.chain.syncState().syncedBlock,
    chainHead: deps.chainHead,
    log: {
      mirrored: deps.mirror !== undefined,
      reachable: mirror ? mirror.reachable : null,
      lastError: mirror?.lastError ?? null,
      kms: head?.kms ?? null,
      treeSize: head?.treeSize ?? 0,
      leavesJudged: counts.judged,
      unanchoredEntries: head ? Math.max(0, head.treeSize - lastAnchored) : null,
    },
  };
}

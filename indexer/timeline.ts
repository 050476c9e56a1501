/**
 * An app's history as one list for people, oldest first: registration, configuration changes,
 * approvals, activations, revocations, freeze, key releases (from the verified log) and the
 * KMS checkpoints anchored meanwhile. Pure: it only rearranges what the tables hold.
 */
import type { Hex } from "../core/policy";
import type { AppDetail } from "./db/appQueries";
import type { AnchoredCheckpointRow } from "./db/chainQueries";

export interface TimelineItem {
  time: number;
  blockNumber: number | null;
  kind: "registered" | "config-updated" | "frozen" | "approved" | "activated" | "revoked" | "key-release" | "checkpoint" | "violation";
  title: string;
  composeHash: Hex | null;
  detail: Record<string, unknown>;
}

export interface KeyReleaseItem {
  index: number;
  time: number;
  composeHash: Hex;
  instanceId: string;
  policyBlock: number;
  violation: boolean;
}

const short = (hex: string) => `${hex.slice(0, 10)}…${hex.slice(-4)}`;

export function buildTimeline(app: AppDetail, keyReleases: readonly KeyReleaseItem[], checkpoints: readonly AnchoredCheckpointRow[], syncedTime: number): TimelineItem[] {
  const items: TimelineItem[] = [];
  const push = (item: TimelineItem) => items.push(item);
  push({ time: app.registered.time, blockNumber: app.registered.blockNumber, kind: "registered", title: `app registered by ${short(app.creator)}`, composeHash: null, detail: { ...app.registered, creator: app.creator } });
  for (const config of app.configs.slice(1)) {
    push({
      time: config.time,
      blockNumber: config.blockNumber,
      kind: "config-updated",
      title: `configuration v${config.configVersion}: ${config.threshold} of ${config.signers.length} signers, notice ${config.noticePeriod} s`,
      composeHash: null,
      detail: { ...config },
    });
  }
  for (const release of app.releases) {
    for (const approval of release.approvals) {
      const { approved, revocation } = approval;
      push({ time: approved.time, blockNumber: approved.blockNumber, kind: "approved", title: `${short(release.composeHash)} approved (nonce ${approval.nonce})`, composeHash: release.composeHash, detail: { ...approval } });
      const activates = revocation === null || revocation.revokedAt > approval.activatesAt;
      if (activates && approval.activatesAt <= syncedTime) {
        push({ time: approval.activatesAt, blockNumber: null, kind: "activated", title: `${short(release.composeHash)} allowed`, composeHash: release.composeHash, detail: { activatesAt: approval.activatesAt } });
      }
      if (revocation) {
        push({ time: revocation.time, blockNumber: revocation.blockNumber, kind: "revoked", title: `${short(release.composeHash)} revoked by ${short(revocation.revoker)}`, composeHash: release.composeHash, detail: { ...revocation } });
      }
    }
  }
  if (app.frozen) push({ time: app.frozen.time, blockNumber: app.frozen.blockNumber, kind: "frozen", title: "app frozen for ever", composeHash: null, detail: { ...app.frozen } });
  for (const release of keyReleases) {
    push({
      time: release.time,
      blockNumber: null,
      kind: release.violation ? "violation" : "key-release",
      title: `${release.violation ? "NOT ALLOWED: " : ""}key released to instance ${release.instanceId || "(empty)"} running ${short(release.composeHash)}`,
      composeHash: release.composeHash,
      detail: { ...release },
    });
  }
  for (const checkpoint of checkpoints) {
    push({
      time: checkpoint.time,
      blockNumber: checkpoint.blockNumber,
      kind: "checkpoint",
      title: `release log of ${short(checkpoint.kms)} anchored at ${checkpoint.treeSize} entries`,
      composeHash: null,
      detail: { ...checkpoint },
    });
  }
  return items.sort((a, b) => a.time - b.time || (a.blockNumber ?? Number.MAX_SAFE_INTEGER) - (b.blockNumber ?? Number.MAX_SAFE_INTEGER));
}

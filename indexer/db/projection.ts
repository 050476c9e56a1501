/**
 * Writes one decoded policy event into the derived tables: one appended row per event, with the
 * event's checkpoint, never an update (so a reorg rollback is a DELETE). A revocation names no
 * nonce on chain; it revokes the latest approval of its compose hash, whose nonce is read back.
 */
import type { PolicyEvent } from "../../core/policy";
import { eventCheckpoint } from "./checkpoint";
import type { IndexerDb } from "./openIndexerDb";

export type Projection = (event: PolicyEvent) => void;

export function createProjection(db: IndexerDb): Projection {
  const insertApp = db.prepare(
    "INSERT INTO apps (app_id, creator, block_number, block_time, transaction_hash, checkpoint) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const insertConfig = db.prepare(
    `INSERT INTO app_configs (app_id, config_version, signers, threshold, notice_period, previous_notice_period, previous_notice_until,
       block_number, block_time, transaction_hash, checkpoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertFreeze = db.prepare(
    "INSERT INTO app_freezes (app_id, config_version, block_number, block_time, transaction_hash, checkpoint) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const insertApproval = db.prepare(
    `INSERT INTO release_approvals (app_id, compose_hash, nonce, metadata_digest, activates_at, signers, block_number, block_time,
       transaction_hash, checkpoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const latestNonce = db.prepare("SELECT MAX(nonce) FROM release_approvals WHERE app_id = ? AND compose_hash = ?").pluck();
  const insertRevocation = db.prepare(
    `INSERT INTO release_revocations (app_id, compose_hash, nonce, revoker, revoked_at, block_number, block_time, transaction_hash, checkpoint)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertPlatform = db.prepare(
    `INSERT INTO platform_changes (checkpoint, kind, subject, allowed, value, block_number, block_time, transaction_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertIdentity = db.prepare(
    `INSERT INTO kms_identity_changes (checkpoint, kms, active, quote_hash, measurement, block_number, block_time, transaction_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCheckpoint = db.prepare(
    `INSERT INTO log_checkpoints (checkpoint, kms, tree_size, root_hash, block_number, block_time, transaction_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertConflict = db.prepare(
    `INSERT INTO checkpoint_conflicts (checkpoint, kms, tree_size, recorded_root, conflicting_root, signature, block_number, block_time, transaction_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  return (event) => {
    const checkpoint = eventCheckpoint(event.blockNumber, event.logIndex);
    const at = [event.blockNumber, event.blockTimestamp, event.transactionHash] as const;
    switch (event.kind) {
      case "AppRegistered":
        insertApp.run(event.appId, event.creator, ...at, checkpoint);
        insertConfig.run(event.appId, 1, JSON.stringify(event.signers), event.threshold, event.noticePeriod, 0, 0, ...at, checkpoint);
        return;
      case "AppConfigUpdated":
        insertConfig.run(
          event.appId,
          event.configVersion,
          JSON.stringify(event.signers),
          event.threshold,
          event.noticePeriod,
          event.previousNoticePeriod,
          event.previousNoticeUntil,
          ...at,
          checkpoint,
        );
        return;
      case "AppFrozen":
        insertFreeze.run(event.appId, event.configVersion, ...at, checkpoint);
        return;
      case "ReleaseApproved":
        insertApproval.run(event.appId, event.composeHash, event.nonce, event.metadataDigest, event.activatesAt, JSON.stringify(event.signers), ...at, checkpoint);
        return;
      case "ReleaseRevoked":
        insertRevocation.run(event.appId, event.composeHash, latestNonce.get(event.appId, event.composeHash) ?? -1, event.revoker, event.revokedAt, ...at, checkpoint);
        return;
      case "PlatformAllowanceChanged":
        insertPlatform.run(checkpoint, "platform", event.platformHash, event.allowed ? 1 : 0, null, ...at);
        return;
      case "AllowedTcbStatusesChanged":
        insertPlatform.run(checkpoint, "tcb-statuses", null, null, event.mask, ...at);
        return;
      case "KmsMeasurementAllowanceChanged":
        insertPlatform.run(checkpoint, "kms-measurement", event.measurement, event.allowed ? 1 : 0, null, ...at);
        return;
      case "GovernanceTransferStarted":
        insertPlatform.run(checkpoint, "governance-offered", event.pendingGovernance, null, null, ...at);
        return;
      case "GovernanceTransferred":
        insertPlatform.run(checkpoint, "governance", event.newGovernance, null, null, ...at);
        return;
      case "KmsIdentityRegistered":
        insertIdentity.run(checkpoint, event.kms, 1, event.quoteHash, event.measurement, ...at);
        return;
      case "KmsIdentityRemoved":
        insertIdentity.run(checkpoint, event.kms, 0, null, null, ...at);
        return;
      case "CheckpointRecorded":
        insertCheckpoint.run(checkpoint, event.kms, event.treeSize, event.rootHash, ...at);
        return;
      case "CheckpointConflicted":
        insertConflict.run(checkpoint, event.kms, event.treeSize, event.recordedRoot, event.conflictingRoot, event.signature, ...at);
        return;
    }
  };
}

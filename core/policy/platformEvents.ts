/**
 * The PlatformPolicy half of the reducer: governance, platforms, TCB statuses, KMS measurements and
 * identities, and the anchored checkpoints. Like the AppRegistry half, it checks each event against
 * the contract's rules and refuses a history the contract could not have produced.
 */
import { PolicyReplayError } from "./errors";
import type { CheckpointConflictedEvent, CheckpointRecordedEvent, Hex, PlatformPolicyEvent } from "./events";
import { ZERO_ADDRESS, withEntry, withMember, type KmsCheckpoints, type PlatformPolicyState } from "./state";

/** Bits 0..5: the six acceptable TCB statuses (PlatformPolicy.TCB_STATUS_MASK_ALL). */
export const TCB_STATUS_MASK_ALL = 0x3f;

const NO_CHECKPOINTS: KmsCheckpoints = { latestTreeSize: 0n, roots: new Map() };

/** Applies one PlatformPolicy event; returns a new platform state and never changes the input. */
export function applyPlatformPolicyEvent(platform: PlatformPolicyState, event: PlatformPolicyEvent): PlatformPolicyState {
  switch (event.kind) {
    case "GovernanceTransferStarted":
      checkGovernance(platform, event.previousGovernance);
      return { ...platform, pendingGovernance: event.pendingGovernance };
    case "GovernanceTransferred":
      checkGovernance(platform, event.previousGovernance);
      return { ...platform, governance: event.newGovernance, pendingGovernance: ZERO_ADDRESS };
    case "PlatformAllowanceChanged":
      return { ...platform, allowedPlatforms: withMember(platform.allowedPlatforms, event.platformHash, event.allowed) };
    case "AllowedTcbStatusesChanged":
      if ((event.mask & ~TCB_STATUS_MASK_ALL) !== 0) {
        throw new PolicyReplayError("REPLAY_INVALID_TCB_MASK", `TCB status mask ${event.mask} sets a bit above 5`);
      }
      return { ...platform, allowedTcbStatuses: event.mask };
    case "KmsMeasurementAllowanceChanged":
      return {
        ...platform,
        allowedKmsMeasurements: withMember(platform.allowedKmsMeasurements, event.measurement, event.allowed),
      };
    case "KmsIdentityRegistered":
      if (platform.kmsIdentities.get(event.kms)?.active) {
        throw new PolicyReplayError("REPLAY_KMS_IDENTITY_STATE", `KMS identity ${event.kms} is registered while active`);
      }
      if (!platform.allowedKmsMeasurements.has(event.measurement)) {
        throw new PolicyReplayError(
          "REPLAY_KMS_MEASUREMENT_NOT_ALLOWED",
          `KMS identity ${event.kms} registered with measurement ${event.measurement}, which is not allowed`,
        );
      }
      return {
        ...platform,
        kmsIdentities: withEntry(platform.kmsIdentities, event.kms, {
          kms: event.kms,
          active: true,
          quoteHash: event.quoteHash,
          measurement: event.measurement,
        }),
      };
    case "KmsIdentityRemoved": {
      const identity = activeIdentity(platform, event.kms);
      return { ...platform, kmsIdentities: withEntry(platform.kmsIdentities, event.kms, { ...identity, active: false }) };
    }
    case "CheckpointRecorded":
      return applyCheckpointRecorded(platform, event);
    case "CheckpointConflicted":
      return applyCheckpointConflicted(platform, event);
  }
}

function checkGovernance(platform: PlatformPolicyState, previousGovernance: Hex): void {
  if (previousGovernance !== platform.governance) {
    throw new PolicyReplayError(
      "REPLAY_GOVERNANCE_MISMATCH",
      `event names ${previousGovernance} as governance, but it is ${platform.governance}`,
    );
  }
}

function activeIdentity(platform: PlatformPolicyState, kms: Hex) {
  const identity = platform.kmsIdentities.get(kms);
  if (!identity?.active) throw new PolicyReplayError("REPLAY_KMS_IDENTITY_STATE", `KMS identity ${kms} is not active`);
  return identity;
}

function applyCheckpointRecorded(platform: PlatformPolicyState, event: CheckpointRecordedEvent): PlatformPolicyState {
  activeIdentity(platform, event.kms);
  const log = platform.checkpoints.get(event.kms) ?? NO_CHECKPOINTS;
  if (event.treeSize <= log.latestTreeSize) {
    throw new PolicyReplayError(
      "REPLAY_CHECKPOINT_NOT_GROWING",
      `checkpoint of ${event.kms} at size ${event.treeSize} after size ${log.latestTreeSize}`,
    );
  }
  const next: KmsCheckpoints = { latestTreeSize: event.treeSize, roots: withEntry(log.roots, event.treeSize, event.rootHash) };
  return { ...platform, checkpoints: withEntry(platform.checkpoints, event.kms, next) };
}

function applyCheckpointConflicted(platform: PlatformPolicyState, event: CheckpointConflictedEvent): PlatformPolicyState {
  activeIdentity(platform, event.kms);
  const recorded = platform.checkpoints.get(event.kms)?.roots.get(event.treeSize);
  if (recorded !== event.recordedRoot || event.conflictingRoot === event.recordedRoot) {
    throw new PolicyReplayError(
      "REPLAY_CHECKPOINT_CONFLICT_MISMATCH",
      `conflict of ${event.kms} at size ${event.treeSize} names root ${event.recordedRoot}, the record is ${recorded ?? "empty"}`,
    );
  }
  const conflict = {
    kms: event.kms,
    treeSize: event.treeSize,
    recordedRoot: event.recordedRoot,
    conflictingRoot: event.conflictingRoot,
    signature: event.signature,
    blockNumber: event.blockNumber,
    blockTimestamp: event.blockTimestamp,
    transactionHash: event.transactionHash,
  };
  return { ...platform, conflicts: [...platform.conflicts, conflict] };
}

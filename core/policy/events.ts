/**
 * Every event the policy contracts emit, decoded, as one tagged union (`kind` is the Solidity event
 * name). Field names are the Solidity parameter names. This is the chain edge, so bytes stay
 * lowercase 0x-hex strings (addresses, app ids, hashes, signatures) rather than Uint8Array: they are
 * map keys and they compare with `===`. `decodeLogs.ts` guarantees the lowercase form. Integer
 * widths follow viem: uint64 is a bigint, uint8/uint16/uint32 are numbers.
 */

/** Lowercase 0x-prefixed hex. */
export type Hex = `0x${string}`;

/** Where an event sits in the chain; replay applies events in (blockNumber, logIndex) order. */
export interface EventPosition {
  /** The emitting contract. */
  readonly address: Hex;
  readonly blockNumber: bigint;
  /** Seconds; the `block.timestamp` the contract saw. */
  readonly blockTimestamp: bigint;
  /** Index of the log within its block (across all contracts). */
  readonly logIndex: number;
  readonly transactionHash: Hex;
}

// ---------------------------------------------------------------- AppRegistry

export interface AppRegisteredEvent extends EventPosition {
  readonly kind: "AppRegistered";
  readonly appId: Hex;
  readonly creator: Hex;
  /** In the order given to `registerApp` (the order `getApp` returns). */
  readonly signers: readonly Hex[];
  readonly threshold: number;
  readonly noticePeriod: bigint;
}

export interface ReleaseApprovedEvent extends EventPosition {
  readonly kind: "ReleaseApproved";
  readonly appId: Hex;
  readonly composeHash: Hex;
  readonly metadataDigest: Hex;
  readonly activatesAt: bigint;
  /** The nonce that was signed: the number of earlier approvals of this compose hash. */
  readonly nonce: number;
  /** The approvers (signature signers and a signer-sender), ascending. */
  readonly signers: readonly Hex[];
}

export interface ReleaseRevokedEvent extends EventPosition {
  readonly kind: "ReleaseRevoked";
  readonly appId: Hex;
  readonly composeHash: Hex;
  readonly revoker: Hex;
  readonly revokedAt: bigint;
}

export interface AppConfigUpdatedEvent extends EventPosition {
  readonly kind: "AppConfigUpdated";
  readonly appId: Hex;
  /** The new version. */
  readonly configVersion: bigint;
  readonly signers: readonly Hex[];
  readonly threshold: number;
  readonly noticePeriod: bigint;
  /** The stored notice floor: approvals get at least this until `previousNoticeUntil`. */
  readonly previousNoticePeriod: bigint;
  readonly previousNoticeUntil: bigint;
}

export interface AppFrozenEvent extends EventPosition {
  readonly kind: "AppFrozen";
  readonly appId: Hex;
  readonly configVersion: bigint;
}

// ---------------------------------------------------------------- PlatformPolicy

export interface GovernanceTransferStartedEvent extends EventPosition {
  readonly kind: "GovernanceTransferStarted";
  readonly previousGovernance: Hex;
  /** The zero address cancels an offer. */
  readonly pendingGovernance: Hex;
}

export interface GovernanceTransferredEvent extends EventPosition {
  readonly kind: "GovernanceTransferred";
  /** The zero address for the constructor's event. */
  readonly previousGovernance: Hex;
  readonly newGovernance: Hex;
}

export interface PlatformAllowanceChangedEvent extends EventPosition {
  readonly kind: "PlatformAllowanceChanged";
  readonly platformHash: Hex;
  readonly allowed: boolean;
}

export interface AllowedTcbStatusesChangedEvent extends EventPosition {
  readonly kind: "AllowedTcbStatusesChanged";
  /** Bit i accepts the TCB status with index i (`TCB_STATUS_BITS`). */
  readonly mask: number;
}

export interface KmsMeasurementAllowanceChangedEvent extends EventPosition {
  readonly kind: "KmsMeasurementAllowanceChanged";
  readonly measurement: Hex;
  readonly allowed: boolean;
}

export interface KmsIdentityRegisteredEvent extends EventPosition {
  readonly kind: "KmsIdentityRegistered";
  readonly kms: Hex;
  readonly quoteHash: Hex;
  readonly measurement: Hex;
}

export interface KmsIdentityRemovedEvent extends EventPosition {
  readonly kind: "KmsIdentityRemoved";
  readonly kms: Hex;
}

export interface CheckpointRecordedEvent extends EventPosition {
  readonly kind: "CheckpointRecorded";
  readonly kms: Hex;
  readonly treeSize: bigint;
  readonly rootHash: Hex;
}

export interface CheckpointConflictedEvent extends EventPosition {
  readonly kind: "CheckpointConflicted";
  readonly kms: Hex;
  readonly treeSize: bigint;
  readonly recordedRoot: Hex;
  readonly conflictingRoot: Hex;
  /** The KMS's signature over (treeSize, conflictingRoot): with the recorded checkpoint, proof of a fork. */
  readonly signature: Hex;
}

export type AppRegistryEvent =
  | AppRegisteredEvent
  | ReleaseApprovedEvent
  | ReleaseRevokedEvent
  | AppConfigUpdatedEvent
  | AppFrozenEvent;

export type PlatformPolicyEvent =
  | GovernanceTransferStartedEvent
  | GovernanceTransferredEvent
  | PlatformAllowanceChangedEvent
  | AllowedTcbStatusesChangedEvent
  | KmsMeasurementAllowanceChangedEvent
  | KmsIdentityRegisteredEvent
  | KmsIdentityRemovedEvent
  | CheckpointRecordedEvent
  | CheckpointConflictedEvent;

export type PolicyEvent = AppRegistryEvent | PlatformPolicyEvent;
export type PolicyEventKind = PolicyEvent["kind"];

/** The same event without its position, for building events in tests and tools. */
export type PolicyEventBody<Event extends PolicyEvent = PolicyEvent> = Event extends PolicyEvent
  ? Omit<Event, keyof EventPosition>
  : never;

/** True when `event` comes from the AppRegistry. */
export function isAppRegistryEvent(event: PolicyEvent): event is AppRegistryEvent {
  switch (event.kind) {
    case "AppRegistered":
    case "ReleaseApproved":
    case "ReleaseRevoked":
    case "AppConfigUpdated":
    case "AppFrozen":
      return true;
    default:
      return false;
  }
}

/** Negative, zero or positive as `a` comes before, at, or after `b` in chain order. */
export function compareEventPositions(
  a: Pick<EventPosition, "blockNumber" | "logIndex">,
  b: Pick<EventPosition, "blockNumber" | "logIndex">,
): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1;
  return a.logIndex - b.logIndex;
}

/**
 * The policy state rebuilt from events alone: what the contracts' views answer, plus the history
 * an auditor needs (every approval and revocation, every configuration version, every conflict).
 *
 * The state is immutable: `applyPolicyEvent` returns a new state and shares every part it did not
 * touch. Bytes are lowercase 0x-hex strings (see events.ts), so they work as map keys.
 */
import type { Hex } from "./events";

export const ZERO_ADDRESS: Hex = "0x0000000000000000000000000000000000000000";

/** The block an event was mined in. */
export interface ChainMoment {
  readonly blockNumber: bigint;
  readonly blockTimestamp: bigint;
  readonly transactionHash: Hex;
}

/** One configuration version of an app, as `getApp` and `getNoticeFloor` report it. */
export interface AppConfig {
  readonly configVersion: bigint;
  /** In the order given to `registerApp` / `updateAppConfig`. */
  readonly signers: readonly Hex[];
  readonly threshold: number;
  readonly noticePeriod: bigint;
  /** The notice floor: approvals get at least `previousNoticePeriod` while time < `previousNoticeUntil`. */
  readonly previousNoticePeriod: bigint;
  readonly previousNoticeUntil: bigint;
  /** When this version took effect. */
  readonly since: ChainMoment;
}

export interface ReleaseRevocation extends ChainMoment {
  readonly revoker: Hex;
  /** Equals the block timestamp. */
  readonly revokedAt: bigint;
}

/** One approval of a compose hash, and its revocation if any. */
export interface ReleaseApproval extends ChainMoment {
  /** The signed nonce: 0 for the first approval, then 1, 2, ... */
  readonly nonce: number;
  readonly metadataDigest: Hex;
  readonly activatesAt: bigint;
  /** Ascending. */
  readonly signers: readonly Hex[];
  readonly revocation: ReleaseRevocation | null;
}

/** One (app, compose hash) record. The first three fields are exactly what `getRelease` returns. */
export interface ReleaseState {
  readonly composeHash: Hex;
  /** The latest approval's activation time. */
  readonly activatesAt: bigint;
  /** The latest approval's revocation time, or 0 when it stands. */
  readonly revokedAt: bigint;
  /** The number of approvals so far (the nonce the next approval signs). */
  readonly nonce: number;
  /** Every approval, oldest first. */
  readonly approvals: readonly ReleaseApproval[];
}

export interface AppState {
  readonly appId: Hex;
  readonly creator: Hex;
  readonly registeredAt: ChainMoment;
  /** The current configuration (the last of `configHistory`). */
  readonly config: AppConfig;
  /** Every configuration version, oldest first. */
  readonly configHistory: readonly AppConfig[];
  readonly frozen: boolean;
  readonly frozenAt: ChainMoment | null;
  readonly releases: ReadonlyMap<Hex, ReleaseState>;
}

export interface KmsIdentityState {
  readonly kms: Hex;
  readonly active: boolean;
  /** The last registration's quote hash and measurement; kept after removal. */
  readonly quoteHash: Hex;
  readonly measurement: Hex;
}

/** One KMS identity's anchored release log. */
export interface KmsCheckpoints {
  /** 0 when nothing is anchored. Survives removal and re-registration. */
  readonly latestTreeSize: bigint;
  readonly roots: ReadonlyMap<bigint, Hex>;
}

export interface CheckpointConflict extends ChainMoment {
  readonly kms: Hex;
  readonly treeSize: bigint;
  readonly recordedRoot: Hex;
  readonly conflictingRoot: Hex;
  readonly signature: Hex;
}

export interface PlatformPolicyState {
  /** The zero address until the constructor's GovernanceTransferred. */
  readonly governance: Hex;
  /** The zero address when no transfer is pending. */
  readonly pendingGovernance: Hex;
  readonly allowedPlatforms: ReadonlySet<Hex>;
  /** 0 until the constructor's AllowedTcbStatusesChanged. */
  readonly allowedTcbStatuses: number;
  readonly allowedKmsMeasurements: ReadonlySet<Hex>;
  readonly kmsIdentities: ReadonlyMap<Hex, KmsIdentityState>;
  readonly checkpoints: ReadonlyMap<Hex, KmsCheckpoints>;
  /** Fork evidence, oldest first. */
  readonly conflicts: readonly CheckpointConflict[];
}

export interface PolicyState {
  /** In registration order; `apps.size` is `appCount()`. */
  readonly apps: ReadonlyMap<Hex, AppState>;
  readonly platform: PlatformPolicyState;
  /** The position of the last applied event, or null before any. */
  readonly lastEvent: { readonly blockNumber: bigint; readonly logIndex: number } | null;
}

/** The state before any event: no apps, no governance, nothing allowed. */
export function emptyPolicyState(): PolicyState {
  return {
    apps: new Map(),
    platform: {
      governance: ZERO_ADDRESS,
      pendingGovernance: ZERO_ADDRESS,
      allowedPlatforms: new Set(),
      allowedTcbStatuses: 0,
      allowedKmsMeasurements: new Set(),
      kmsIdentities: new Map(),
      checkpoints: new Map(),
      conflicts: [],
    },
    lastEvent: null,
  };
}

/** A copy of `map` with `key` set to `value`; the input is not changed. */
export function withEntry<Key, Value>(map: ReadonlyMap<Key, Value>, key: Key, value: Value): ReadonlyMap<Key, Value> {
  const copy = new Map(map);
  copy.set(key, value);
  return copy;
}

/** A copy of `set` with `member` added or removed; the input is not changed. */
export function withMember<Member>(set: ReadonlySet<Member>, member: Member, present: boolean): ReadonlySet<Member> {
  const copy = new Set(set);
  if (present) copy.add(member);
  else copy.delete(member);
  return copy;
}

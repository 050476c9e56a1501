/**
 * What an audit finds. A finding is data, not an exception: the audit goes on and reports every
 * finding with its evidence, so one bad leaf does not hide the next. Every code is stable and
 * documented in docs/auditor-guide.md.
 */
export type FindingCode =
  // audit replay
  /** A view function at the block answers differently from the state rebuilt from events. */
  | "VIEW_MISMATCH"
  // audit log: the log as a whole
  /** The KMS's latest checkpoint does not carry a valid signature of its tree head. */
  | "LOG_HEAD_SIGNATURE_INVALID"
  /** The KMS's tree head is signed by an address that was never a registered KMS identity. */
  | "LOG_KMS_UNKNOWN"
  /** The KMS's tree head is smaller than a checkpoint it anchored on chain: it rolled back. */
  | "LOG_HEAD_BEHIND_ANCHOR"
  /** The KMS now signs a smaller tree than one it signed before (seen by a mirror). */
  | "LOG_HEAD_ROLLED_BACK"
  /** An entry the tree head covers was not served (a removed leaf, or a gap). */
  | "LOG_ENTRY_MISSING"
  /** An entry's leaf hash is not SHA-256(0x00 ‖ leaf). */
  | "LOG_LEAF_HASH_MISMATCH"
  /** An entry's leaf is not a canonical v1 leaf. */
  | "LOG_LEAF_UNPARSEABLE"
  /** The tree rebuilt from the served entries has another root than a checkpoint anchored on chain. */
  | "LOG_ANCHOR_ROOT_MISMATCH"
  /** The tree rebuilt from the served entries has another root than the KMS's signed tree head. */
  | "LOG_HEAD_ROOT_MISMATCH"
  /** The KMS cannot prove that two of its checkpoints are one append-only log: a fork. */
  | "LOG_CONSISTENCY_PROOF_INVALID"
  /** A served inclusion proof does not lead from the leaf to the tree head. */
  | "LOG_INCLUSION_PROOF_INVALID"
  /** The chain holds two different roots signed by this KMS for one tree size (CheckpointConflicted). */
  | "LOG_CHECKPOINT_CONFLICT"
  // audit log: one leaf's decision, re-evaluated at its policy block
  /** The leaf names another chain or AppRegistry than the deployment. */
  | "LEAF_CHAIN_MISMATCH"
  /** The leaf names another KMS than the identity whose log holds it. */
  | "LEAF_KMS_MISMATCH"
  /** The leaf's policy block is not on the chain yet. */
  | "LEAF_POLICY_BLOCK_UNKNOWN"
  /** The leaf's policy block hash is not the chain's block at that number. */
  | "LEAF_POLICY_BLOCK_NOT_CANONICAL"
  /** The KMS was not a registered identity at the policy block. */
  | "LEAF_KMS_NOT_REGISTERED"
  /** The platform hash was not allowed at the policy block. */
  | "LEAF_PLATFORM_NOT_ALLOWED"
  /** The TCB status was not accepted at the policy block. */
  | "LEAF_TCB_STATUS_NOT_ALLOWED"
  /** The compose hash was not an active, unrevoked release of the app at the policy block. */
  | "LEAF_COMPOSE_HASH_NOT_ALLOWED"
  /** An onboarded KMS's measurement was not allowed at the policy block. */
  | "LEAF_KMS_MEASUREMENT_NOT_ALLOWED";

export interface Finding {
  readonly code: FindingCode;
  readonly message: string;
  /** Everything needed to check the finding independently (hex strings and numbers only). */
  readonly evidence: Readonly<Record<string, unknown>>;
}

export function finding(code: FindingCode, message: string, evidence: Record<string, unknown> = {}): Finding {
  return { code, message, evidence };
}

/** Findings that prove the KMS released a key (or a secret) the policy did not allow. */
export const MISBEHAVIOUR_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  "LEAF_CHAIN_MISMATCH",
  "LEAF_KMS_MISMATCH",
  "LEAF_POLICY_BLOCK_UNKNOWN",
  "LEAF_POLICY_BLOCK_NOT_CANONICAL",
  "LEAF_KMS_NOT_REGISTERED",
  "LEAF_PLATFORM_NOT_ALLOWED",
  "LEAF_TCB_STATUS_NOT_ALLOWED",
  "LEAF_COMPOSE_HASH_NOT_ALLOWED",
  "LEAF_KMS_MEASUREMENT_NOT_ALLOWED",
]);

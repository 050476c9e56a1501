/**
 * What the replay scenario submitted, recorded by the scenario itself (not read from events): the
 * part of the history that no view returns. The replay test checks the rebuilt history against it.
 */

export interface JournalConfig {
  signers: string[];
  threshold: number;
  noticePeriod: bigint;
}

export interface JournalApproval {
  metadataDigest: string;
  /** Ascending, lowercase: the bundle's signers plus a signer-sender. */
  approvers: string[];
  /** Lowercase, or null while the approval stands. */
  revoker: string | null;
}

export interface JournalConflict {
  kms: string;
  treeSize: bigint;
  recordedRoot: string;
  conflictingRoot: string;
  signature: string;
}

export interface ScenarioJournal {
  /** Lowercase app id → creator and every configuration, oldest first. */
  apps: Map<string, { creator: string; configs: JournalConfig[] }>;
  /** `journalKey(appId, composeHash)` → every approval, oldest first. */
  approvals: Map<string, JournalApproval[]>;
  conflicts: JournalConflict[];
  /** Lowercase KMS address → tree size → root it anchored. */
  checkpoints: Map<string, Map<bigint, string>>;
}

export function journalKey(appId: string, composeHash: string): string {
  return `${appId.toLowerCase()}/${composeHash.toLowerCase()}`;
}

/**
 * Reads of what the sync stored besides apps: block headers, KMS identities, anchored
 * checkpoints and conflicts, the platform policy's history, and the raw events themselves.
 */
import type { BlockHeader } from "../../core/audit";
import type { Deployment } from "../../core/chain/deployment";
import { decodePolicyLogs, type Hex, type PolicyEvent } from "../../core/policy";
import { eventCheckpoint } from "./checkpoint";
import type { IndexerDb } from "./openIndexerDb";

export interface KmsIdentityChangeRow {
  kms: Hex;
  active: boolean;
  quoteHash: Hex | null;
  measurement: Hex | null;
  blockNumber: number;
  time: number;
  transactionHash: Hex;
}

export interface AnchoredCheckpointRow {
  checkpoint: string;
  kms: Hex;
  treeSize: number;
  rootHash: Hex;
  blockNumber: number;
  time: number;
  transactionHash: Hex;
}

export interface ConflictRow extends AnchoredCheckpointRow {
  conflictingRoot: Hex;
  signature: Hex;
}

export interface PlatformChangeRow {
  kind: "platform" | "tcb-statuses" | "kms-measurement" | "governance-offered" | "governance";
  subject: Hex | null;
  allowed: boolean | null;
  value: number | null;
  blockNumber: number;
  time: number;
  transactionHash: Hex;
}

export interface ChainQueries {
  syncState(): { syncedBlock: number; syncedHash: Hex | null };
  block(number: number): BlockHeader | undefined;
  /** Stores a header read for a query (only at or below the synced block). */
  rememberBlock(header: BlockHeader): void;
  identityChanges(): KmsIdentityChangeRow[];
  anchoredCheckpoints(kms?: Hex): AnchoredCheckpointRow[];
  conflicts(): ConflictRow[];
  platformChanges(): PlatformChangeRow[];
  eventCount(): number;
  /** Every stored event, decoded again from its raw log: what the core/policy reducer replays. */
  policyEvents(deployment: Deployment): PolicyEvent[];
}

type Row = Record<string, unknown>;
const at = (row: Row) => ({ blockNumber: row.block_number as number, time: row.block_time as number, transactionHash: row.transaction_hash as Hex });

export function createChainQueries(db: IndexerDb): ChainQueries {
  const state = db.prepare("SELECT synced_block AS syncedBlock, synced_hash AS syncedHash FROM sync_state WHERE id = 1");
  const block = db.prepare("SELECT number, hash, parent_hash AS parentHash, timestamp FROM blocks WHERE number = ?");
  const remember = db.prepare("INSERT OR IGNORE INTO blocks (number, hash, parent_hash, timestamp, checkpoint) VALUES (?, ?, ?, ?, ?)");
  const identities = db.prepare("SELECT * FROM kms_identity_changes ORDER BY checkpoint");
  const checkpoints = db.prepare("SELECT * FROM log_checkpoints ORDER BY checkpoint");
  const checkpointsOf = db.prepare("SELECT * FROM log_checkpoints WHERE kms = ? ORDER BY tree_size");
  const conflicts = db.prepare("SELECT * FROM checkpoint_conflicts ORDER BY checkpoint");
  const platform = db.prepare("SELECT * FROM platform_changes ORDER BY checkpoint");
  const eventCount = db.prepare("SELECT COUNT(*) FROM events").pluck();
  const events = db.prepare(
    `SELECT e.block_number, e.log_index, e.transaction_hash, e.address, e.topics, e.data, b.timestamp
       FROM events e JOIN blocks b ON b.number = e.block_number ORDER BY e.checkpoint`,
  );

  const checkpointRow = (row: Row): AnchoredCheckpointRow => ({
    checkpoint: row.checkpoint as string,
    kms: row.kms as Hex,
    treeSize: row.tree_size as number,
    rootHash: (row.root_hash ?? row.recorded_root) as Hex,
    ...at(row),
  });

  return {
    syncState: () => state.get() as { syncedBlock: number; syncedHash: Hex | null },
    block(number) {
      const row = block.get(number) as { number: number; hash: Hex; parentHash: Hex; timestamp: number } | undefined;
      return row ? { ...row, timestamp: BigInt(row.timestamp) } : undefined;
    },
    rememberBlock(header) {
      remember.run(header.number, header.hash, header.parentHash, header.timestamp, eventCheckpoint(header.number, 0));
    },
    identityChanges: () =>
      (identities.all() as Row[]).map((row) => ({
        kms: row.kms as Hex,
        active: row.active === 1,
        quoteHash: (row.quote_hash as Hex | null) ?? null,
        measurement: (row.measurement as Hex | null) ?? null,
        ...at(row),
      })),
    anchoredCheckpoints: (kms) => ((kms ? checkpointsOf.all(kms) : checkpoints.all()) as Row[]).map(checkpointRow),
    conflicts: () =>
      (conflicts.all() as Row[]).map((row) => ({ ...checkpointRow(row), conflictingRoot: row.conflicting_root as Hex, signature: row.signature as Hex })),
    platformChanges: () =>
      (platform.all() as Row[]).map((row) => ({
        kind: row.kind as PlatformChangeRow["kind"],
        subject: (row.subject as Hex | null) ?? null,
        allowed: row.allowed === null ? null : row.allowed === 1,
        value: (row.value as number | null) ?? null,
        ...at(row),
      })),
    eventCount: () => eventCount.get() as number,
    policyEvents(deployment) {
      const logs = (events.all() as Row[]).map((row) => ({
        address: row.address as string,
        topics: JSON.parse(row.topics as string) as Hex[],
        data: row.data as Hex,
        blockNumber: BigInt(row.block_number as number),
        logIndex: row.log_index as number,
        transactionHash: row.transaction_hash as Hex,
        blockTimestamp: BigInt(row.timestamp as number),
      }));
      return decodePolicyLogs(logs, {
        contracts: { appRegistry: deployment.contracts.AppRegistry.address, platformPolicy: deployment.contracts.PlatformPolicy.address },
      });
    },
  };
}

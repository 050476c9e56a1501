/**
 * The sync's only writer. A batch (raw logs, their decoded events, the headers it saw, and the
 * new synced block) is one SQLite transaction: a crash leaves the database at the previous batch,
 * and the sync resumes from its `synced_block`. A rollback deletes every row above the common
 * ancestor, table by table, in one transaction.
 */
import type { RawPolicyLog } from "../../core/audit";
import type { BlockHeader } from "../../core/audit";
import type { Hex, PolicyEvent } from "../../core/policy";
import { blockEndCheckpoint, eventCheckpoint } from "./checkpoint";
import { CHAIN_TABLES } from "./migrations";
import type { IndexerDb } from "./openIndexerDb";
import { createProjection } from "./projection";

export interface SyncBatch {
  readonly fromBlock: number;
  readonly toBlock: number;
  /** Every log of the batch; `events` are the same logs decoded, in chain order. */
  readonly logs: readonly RawPolicyLog[];
  readonly events: readonly PolicyEvent[];
  /** Headers of the blocks with logs and of the batch's ends. */
  readonly headers: readonly BlockHeader[];
}

export interface SyncState {
  readonly syncedBlock: number;
  readonly syncedHash: Hex | null;
}

export interface IndexWriter {
  syncState(): SyncState;
  commitBatch(batch: SyncBatch): void;
  /** Deletes everything above `ancestor` and sets the synced block to it; returns rows deleted. */
  rollbackTo(ancestor: number, ancestorHash: Hex | null): number;
  /** Stored block hashes, highest first: where a reorg's common ancestor is searched. */
  storedBlocks(): Array<{ number: number; hash: Hex }>;
}

export function createIndexWriter(db: IndexerDb): IndexWriter {
  const project = createProjection(db);
  const readState = db.prepare("SELECT synced_block AS syncedBlock, synced_hash AS syncedHash FROM sync_state WHERE id = 1");
  const writeState = db.prepare("UPDATE sync_state SET synced_block = ?, synced_hash = ? WHERE id = 1");
  const insertBlock = db.prepare(
    "INSERT OR REPLACE INTO blocks (number, hash, parent_hash, timestamp, checkpoint) VALUES (?, ?, ?, ?, ?)",
  );
  const insertEvent = db.prepare(
    "INSERT INTO events (checkpoint, block_number, log_index, transaction_hash, address, kind, topics, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const deletes = CHAIN_TABLES.map((table) => db.prepare(`DELETE FROM ${table} WHERE checkpoint > ?`));
  const storedBlocks = db.prepare("SELECT number, hash FROM blocks ORDER BY number DESC");

  const commit = db.transaction((batch: SyncBatch) => {
    for (const header of batch.headers) {
      insertBlock.run(header.number, header.hash, header.parentHash, header.timestamp, eventCheckpoint(header.number, 0));
    }
    const raw = new Map<string, RawPolicyLog>();
    for (const log of batch.logs) raw.set(eventCheckpoint(log.blockNumber, log.logIndex), log);
    for (const event of batch.events) {
      const checkpoint = eventCheckpoint(event.blockNumber, event.logIndex);
      const log = raw.get(checkpoint);
      if (!log) throw new Error(`no raw log for event at ${checkpoint}`);
      insertEvent.run(checkpoint, event.blockNumber, event.logIndex, event.transactionHash, event.address, event.kind, JSON.stringify(log.topics), log.data);
      project(event);
    }
    const end = batch.headers.find((header) => header.number === batch.toBlock);
    if (!end) throw new Error(`batch ${batch.fromBlock}-${batch.toBlock} has no header of its last block`);
    writeState.run(batch.toBlock, end.hash);
  });

  const rollback = db.transaction((ancestor: number, ancestorHash: Hex | null) => {
    const above = blockEndCheckpoint(ancestor);
    let deleted = 0;
    for (const statement of deletes) deleted += statement.run(above).changes;
    writeState.run(ancestor, ancestorHash);
    return deleted;
  });

  return {
    syncState: () => readState.get() as SyncState,
    commitBatch: (batch) => commit(batch),
    rollbackTo: (ancestor, ancestorHash) => rollback(ancestor, ancestorHash),
    storedBlocks: () => storedBlocks.all() as Array<{ number: number; hash: Hex }>,
  };
}

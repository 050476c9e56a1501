/**
 * The chain sync: every event of both contracts from the deployment block to `latest −
 * confirmations`, in adaptive block ranges, one SQLite transaction per range.
 *
 * Reorgs (the ponder model): the sync keeps the hash of the last block it committed and of every
 * block it saw; each tick first checks that its synced block is still canonical, and each batch
 * checks that its first block's parent is the synced block and that every log belongs to the
 * block the header names. On a mismatch it finds the highest stored block that is still
 * canonical, deletes every row above it, and syncs again from there.
 *
 * It reports each step as a tagged event (`batch`, `reorg`, `idle`) for logs, progress and metrics.
 */
import type { PublicClient } from "viem";
import { AuditError, createLogBatchReader, decodeWithHeaders, getBlockHeader, type BlockRangePolicy, type LogBatch } from "../../core/audit";
import { deploymentStartBlock, type Deployment } from "../../core/chain/deployment";
import { IndexerError } from "../errors";
import type { IndexWriter } from "../db/writer";
import { findCommonAncestor } from "./findCommonAncestor";

export type SyncEvent =
  | { readonly type: "batch"; readonly fromBlock: number; readonly toBlock: number; readonly events: number; readonly target: number; readonly startBlock: number }
  | { readonly type: "reorg"; readonly ancestor: number; readonly previousSyncedBlock: number; readonly rowsDeleted: number }
  | { readonly type: "idle"; readonly syncedBlock: number; readonly latest: number };

export interface SyncerOptions {
  readonly client: Pick<PublicClient, "request" | "getBlockNumber">;
  readonly writer: IndexWriter;
  readonly deployment: Deployment;
  readonly confirmations: number;
  readonly rangePolicy?: BlockRangePolicy;
  readonly onEvent?: (event: SyncEvent) => void;
}

export interface Syncer {
  /** One step: a reorg check, then one batch (or nothing when caught up). Returns what it did. */
  tick(): Promise<SyncEvent>;
  /** Ticks until `target` is synced (or the signal aborts); for tests and `--once`. */
  syncTo(target?: number, signal?: AbortSignal): Promise<void>;
}

function rpcError(what: string, cause: unknown): IndexerError {
  const detail = cause instanceof Error ? (cause.message.split("\n")[0] ?? "") : String(cause);
  return new IndexerError("INDEXER_RPC_UNAVAILABLE", `${what}: ${detail}`, { cause });
}

export function createSyncer(options: SyncerOptions): Syncer {
  const { client, writer, deployment, confirmations } = options;
  const addresses = [deployment.contracts.AppRegistry.address, deployment.contracts.PlatformPolicy.address];
  // Reads the next range while this one is decoded and committed.
  const reader = createLogBatchReader(client, { addresses, ...(options.rangePolicy ? { rangePolicy: options.rangePolicy } : {}), onError: rpcError });
  const startBlock = deploymentStartBlock(deployment);

  const emit = (event: SyncEvent): SyncEvent => {
    options.onEvent?.(event);
    return event;
  };

  const canonicalHash = async (blockNumber: number) => (await getBlockHeader(client, blockNumber))?.hash ?? null;

  const reorg = async (): Promise<SyncEvent> => {
    reader.discard();
    const previous = writer.syncState().syncedBlock;
    const ancestor = await findCommonAncestor(writer.storedBlocks(), canonicalHash);
    const to = ancestor ?? { number: startBlock - 1, hash: null };
    const rowsDeleted = writer.rollbackTo(to.number, to.hash);
    return emit({ type: "reorg", ancestor: to.number, previousSyncedBlock: previous, rowsDeleted });
  };

  const tick = async (): Promise<SyncEvent> => {
    let latest: number;
    try {
      latest = Number(await client.getBlockNumber({ cacheTime: 0 }));
    } catch (error) {
      throw rpcError("cannot read the latest block", error);
    }
    const { syncedBlock, syncedHash } = writer.syncState();
    if (syncedHash !== null) {
      const header = syncedBlock <= latest ? await getBlockHeader(client, syncedBlock) : null;
      if (header?.hash !== syncedHash) return reorg();
    }
    const target = latest - confirmations;
    const from = syncedBlock + 1;
    if (from > target) return emit({ type: "idle", syncedBlock, latest });

    let batch: LogBatch;
    try {
      batch = await reader.read(from, target);
    } catch (error) {
      // A block of the range vanished: the chain moved under us.
      if (error instanceof AuditError && error.code === "AUDIT_BLOCK_OUT_OF_RANGE") return reorg();
      if (error instanceof IndexerError) throw error;
      throw rpcError(`cannot read blocks from ${from}`, error);
    }
    const { toBlock: to, logs, headers } = batch;
    const first = headers.get(from)!;
    const linked = syncedHash === null || first.parentHash === syncedHash;
    const consistent = logs.every((log) => headers.get(Number(log.blockNumber))?.hash === log.blockHash);
    if (!linked || !consistent) {
      const event = await reorg();
      // Nothing was rolled back although the batch did not link: the RPC answers inconsistently
      // (a load balancer between nodes, or a node that reports unmaterialised blocks). Back off.
      if (event.type === "reorg" && event.ancestor === syncedBlock) {
        throw new IndexerError("INDEXER_RPC_UNAVAILABLE", `block ${from} does not link to the canonical block ${syncedBlock}: the RPC serves inconsistent blocks`);
      }
      return event;
    }

    reader.prefetch(to + 1, target);
    const events = decodeWithHeaders(logs, headers, deployment);
    writer.commitBatch({ fromBlock: from, toBlock: to, logs, events, headers: [...headers.values()] });
    return emit({ type: "batch", fromBlock: from, toBlock: to, events: events.length, target, startBlock });
  };

  return {
    tick,
    async syncTo(target, signal) {
      for (;;) {
        if (signal?.aborted) return;
        const event = await tick();
        if (event.type === "idle" && (target === undefined || event.syncedBlock >= target)) return;
        if (event.type === "batch" && target !== undefined && event.toBlock >= target) return;
        if (event.type === "idle") await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

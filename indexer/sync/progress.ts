/**
 * How the sync reports itself: a one-line progress bar on a terminal, structured pino logs
 * otherwise (a batch line at most once per second, every reorg as a warning).
 */
import type { Logger } from "pino";
import type { SyncEvent } from "./syncer";

export interface ProgressSink {
  onSyncEvent(event: SyncEvent): void;
}

const BAR_WIDTH = 30;

export function createProgressSink(options: { logger: Logger; stream?: NodeJS.WriteStream; tty: boolean; now?: () => number }): ProgressSink {
  const now = options.now ?? Date.now;
  const stream = options.stream ?? process.stderr;
  let events = 0;
  let startedAt: number | undefined;
  let lastLogAt = 0;
  let drawn = false;

  const draw = (event: Extract<SyncEvent, { type: "batch" }>) => {
    const total = Math.max(1, event.target - event.startBlock + 1);
    const done = Math.min(total, event.toBlock - event.startBlock + 1);
    const filled = Math.round((done / total) * BAR_WIDTH);
    const seconds = Math.max(0.001, (now() - (startedAt ?? now())) / 1000);
    const line = `sync [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${((done / total) * 100).toFixed(1)}% block ${event.toBlock}/${event.target}  ${events} events  ${Math.round(events / seconds)} ev/s`;
    stream.write(`\r\x1b[2K${line}`);
    drawn = true;
  };

  return {
    onSyncEvent(event) {
      if (event.type === "batch") {
        startedAt ??= now();
        events += event.events;
        if (options.tty) draw(event);
        else if (now() - lastLogAt >= 1000 || event.toBlock >= event.target) {
          lastLogAt = now();
          options.logger.info({ fromBlock: event.fromBlock, toBlock: event.toBlock, target: event.target, events }, "synced");
        }
      } else if (event.type === "reorg") {
        if (drawn) stream.write("\n");
        drawn = false;
        options.logger.warn({ ancestor: event.ancestor, previousSyncedBlock: event.previousSyncedBlock, rowsDeleted: event.rowsDeleted }, "reorg: rolled back to the common ancestor");
      } else if (drawn) {
        stream.write(`\r\x1b[2Ksynced to block ${event.syncedBlock} (head ${event.latest})\n`);
        drawn = false;
      }
    },
  };
}

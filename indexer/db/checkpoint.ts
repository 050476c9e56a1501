/**
 * Fixed-width, text-sortable positions (the ponder model): every row the sync writes carries the
 * checkpoint of the event (or block) it came from, so rolling back to a block is one
 * `DELETE ... WHERE checkpoint > blockEnd(ancestor)` per table.
 * Format: 16 decimal digits of block number, then 8 of log index.
 */
const BLOCK_DIGITS = 16;
const LOG_DIGITS = 8;

export function eventCheckpoint(blockNumber: number | bigint, logIndex: number): string {
  return `${blockNumber.toString().padStart(BLOCK_DIGITS, "0")}${logIndex.toString().padStart(LOG_DIGITS, "0")}`;
}

/** The checkpoint after every event of `blockNumber`: rows at or below it belong to blocks <= it. */
export function blockEndCheckpoint(blockNumber: number | bigint): string {
  return `${blockNumber.toString().padStart(BLOCK_DIGITS, "0")}${"9".repeat(LOG_DIGITS)}`;
}

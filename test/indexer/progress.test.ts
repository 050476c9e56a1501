import pino from "pino";
import { describe, expect, it } from "vitest";
import { createProgressSink } from "../../indexer/sync/progress";

/** Progress: a bar on a terminal, JSON logs (at most one line a second, every reorg) otherwise. */
function capture() {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
  const written: string[] = [];
  const stream = { write: (text: string) => (written.push(text), true) } as unknown as NodeJS.WriteStream;
  return { lines, written, logger, stream };
}

const batch = (toBlock: number) => ({ type: "batch" as const, fromBlock: toBlock - 9, toBlock, events: 100, target: 100, startBlock: 1 });

describe("createProgressSink", () => {
  it("draws a bar with the percentage, block and event rate on a terminal", () => {
    const { written, logger, stream } = capture();
    let now = 0;
    const sink = createProgressSink({ logger, stream, tty: true, now: () => (now += 500) });
    sink.onSyncEvent(batch(50));
    expect(written.at(-1)).toMatch(/sync \[#{15}\.{15}\] 50\.0% block 50\/100 {2}100 events/);
    sink.onSyncEvent({ type: "idle", syncedBlock: 100, latest: 100 });
    expect(written.at(-1)).toContain("synced to block 100");
  });

  it("logs JSON at most once a second, the last batch, and every reorg as a warning, without a terminal", () => {
    const { lines, written, logger, stream } = capture();
    let now = 10_000;
    const sink = createProgressSink({ logger, stream, tty: false, now: () => now });
    sink.onSyncEvent(batch(10));
    sink.onSyncEvent(batch(20));
    now += 1_500;
    sink.onSyncEvent(batch(30));
    sink.onSyncEvent(batch(100));
    sink.onSyncEvent({ type: "reorg", ancestor: 90, previousSyncedBlock: 100, rowsDeleted: 7 });
    const parsed = lines.map((line) => JSON.parse(line) as { msg: string; level: number; toBlock?: number });
    expect(parsed.map((line) => [line.msg, line.toBlock ?? null])).toEqual([
      ["synced", 10],
      ["synced", 30],
      ["synced", 100],
      ["reorg: rolled back to the common ancestor", null],
    ]);
    expect(parsed[3]!.level).toBe(40);
    expect(written).toEqual([]);
  });
});

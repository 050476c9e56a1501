import { describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { createAnchorer } from "../../kms/anchor/anchorer";
import type { StoredCheckpoint } from "../../kms/log";

/** The anchoring schedule and retry rules, with a fake log, a fake clock and a fake chain. */
function fakeLog() {
  const checkpoints: StoredCheckpoint[] = [];
  const add = (treeSize: number) =>
    checkpoints.push({ treeSize, rootHash: `0x${"ab".repeat(32)}`, kms: `0x${"11".repeat(20)}`, signature: `0x${"00".repeat(65)}`, signedAt: 0, anchoredTx: null, anchoredBlock: null });
  return {
    add,
    latestCheckpoint: () => checkpoints.at(-1),
    latestAnchoredCheckpoint: () => [...checkpoints].reverse().find((checkpoint) => checkpoint.anchoredTx !== null),
    markAnchored: (treeSize: number, tx: Hex, block: number) => {
      const checkpoint = checkpoints.find((candidate) => candidate.treeSize === treeSize) as StoredCheckpoint;
      checkpoint.anchoredTx = tx;
      checkpoint.anchoredBlock = block;
      return checkpoint;
    },
  };
}

function setup(options: { every: number; intervalMs: number; fail?: () => boolean }) {
  let clock = 1_000_000;
  const log = fakeLog();
  const submitted: number[] = [];
  const anchorer = createAnchorer({
    log,
    everyEntries: options.every,
    intervalMs: options.intervalMs,
    initialBackoffMs: 1000,
    maxBackoffMs: 8000,
    now: () => clock,
    submit: async (checkpoint) => {
      submitted.push(checkpoint.treeSize);
      if (options.fail?.()) throw new Error("LogAnchorUnknownKms");
      return { transactionHash: `0x${"cd".repeat(32)}`, blockNumber: 7 };
    },
  });
  return { log, submitted, anchorer, advance: (ms: number) => void (clock += ms) };
}

describe("createAnchorer", () => {
  it("anchors once N entries are unanchored, and not before", async () => {
    const { log, submitted, anchorer } = setup({ every: 5, intervalMs: 60_000 });
    log.add(4);
    expect(anchorer.poke()).toBeUndefined();
    log.add(5);
    await anchorer.poke();
    expect(submitted).toEqual([5]);
    expect(log.latestAnchoredCheckpoint()?.treeSize).toBe(5);
  });

  it("anchors a smaller gap once T has passed since the last anchor", async () => {
    const { log, submitted, anchorer, advance } = setup({ every: 1000, intervalMs: 60_000 });
    log.add(1);
    expect(anchorer.poke()).toBeUndefined();
    advance(60_000);
    await anchorer.poke();
    expect(submitted).toEqual([1]);
  });

  it("never anchors an empty tree, nor a size already anchored", async () => {
    const { log, submitted, anchorer, advance } = setup({ every: 1, intervalMs: 1 });
    expect(anchorer.poke()).toBeUndefined();
    log.add(0);
    advance(10);
    expect(anchorer.poke()).toBeUndefined();
    log.add(3);
    await anchorer.poke();
    advance(10);
    expect(anchorer.poke()).toBeUndefined();
    expect(submitted).toEqual([3]);
  });

  it("backs off exponentially after failures (1 s, 2 s, 4 s, capped at 8 s) and resets after a success", async () => {
    let failing = true;
    const { log, submitted, anchorer, advance } = setup({ every: 1, intervalMs: 60_000, fail: () => failing });
    log.add(2);
    await anchorer.poke();
    expect(anchorer.status()).toMatchObject({ consecutiveFailures: 1, lastError: "LogAnchorUnknownKms" });
    for (const wait of [1000, 2000, 4000, 8000, 8000]) {
      advance(wait - 1);
      expect(anchorer.poke()).toBeUndefined();
      advance(1);
      await anchorer.poke();
    }
    expect(submitted).toHaveLength(6);
    failing = false;
    advance(8000);
    await anchorer.poke();
    expect(anchorer.status()).toMatchObject({ consecutiveFailures: 0, lastError: null });
    expect(log.latestAnchoredCheckpoint()?.treeSize).toBe(2);
  });

  it("runs one submission at a time", async () => {
    const { log, anchorer } = setup({ every: 1, intervalMs: 60_000 });
    log.add(1);
    const first = anchorer.poke();
    expect(anchorer.poke()).toBe(first);
    await first;
  });
});

import type { ReleaseLog, StoredCheckpoint } from "../log";
import type { SubmitCheckpoint } from "./submitCheckpoint";

/**
 * Anchors the log's latest signed checkpoint on chain every `everyEntries` new entries or
 * every `intervalMs`, whichever comes first (DESIGN.md "Anchoring"). It never anchors an
 * empty tree or a size already anchored, runs one submission at a time, and after a
 * failure waits `initialBackoffMs · 2^(failures − 1)` (capped at `maxBackoffMs`) before it
 * tries again. The unanchored gap is public: `/health` and `basekms_log_unanchored_entries`.
 */
export interface AnchorerStatus {
  lastError: string | null;
  consecutiveFailures: number;
  /** Unix ms of the last successful anchor (or of start-up). */
  lastAnchorAt: number;
  inFlight: boolean;
}

export interface Anchorer {
  /** Checks whether an anchor is due and starts it; returns the running attempt, if any. */
  poke(): Promise<void> | undefined;
  start(): void;
  /** Stops the timer and waits for a running submission to settle. */
  stop(): Promise<void>;
  status(): AnchorerStatus;
}

export interface AnchorerOptions {
  log: Pick<ReleaseLog, "latestCheckpoint" | "latestAnchoredCheckpoint" | "markAnchored">;
  submit: SubmitCheckpoint;
  everyEntries: number;
  intervalMs: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often the timer checks whether an anchor is due (default min(intervalMs, 1000)). */
  tickMs?: number;
  now?: () => number;
  onAnchored?: (checkpoint: StoredCheckpoint) => void;
  onError?: (error: unknown, consecutiveFailures: number) => void;
}

export function createAnchorer(options: AnchorerOptions): Anchorer {
  const now = options.now ?? Date.now;
  const initialBackoffMs = options.initialBackoffMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  let lastAnchorAt = now();
  let lastError: string | null = null;
  let failures = 0;
  let retryAt = 0;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const due = (): StoredCheckpoint | undefined => {
    if (running || now() < retryAt) return undefined;
    const latest = options.log.latestCheckpoint();
    if (!latest || latest.treeSize === 0 || latest.anchoredTx) return undefined;
    const anchoredSize = options.log.latestAnchoredCheckpoint()?.treeSize ?? 0;
    if (latest.treeSize <= anchoredSize) return undefined;
    const gap = latest.treeSize - anchoredSize;
    return gap >= options.everyEntries || now() - lastAnchorAt >= options.intervalMs ? latest : undefined;
  };

  const anchor = async (checkpoint: StoredCheckpoint): Promise<void> => {
    try {
      const { transactionHash, blockNumber } = await options.submit(checkpoint);
      const stored = options.log.markAnchored(checkpoint.treeSize, transactionHash, blockNumber);
      failures = 0;
      retryAt = 0;
      lastError = null;
      lastAnchorAt = now();
      options.onAnchored?.(stored);
    } catch (error) {
      failures++;
      retryAt = now() + Math.min(maxBackoffMs, initialBackoffMs * 2 ** (failures - 1));
      lastError = error instanceof Error ? (error.message.split("\n")[0] ?? "error") : String(error);
      options.onError?.(error, failures);
    }
  };

  const poke = (): Promise<void> | undefined => {
    if (running) return running;
    const checkpoint = due();
    if (!checkpoint) return undefined;
    running = anchor(checkpoint).finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    poke,
    start: () => {
      if (timer) return;
      timer = setInterval(() => void poke(), options.tickMs ?? Math.min(options.intervalMs, 1000));
      timer.unref();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
    status: () => ({ lastError, consecutiveFailures: failures, lastAnchorAt, inFlight: running !== undefined }),
  };
}

/**
 * Adaptive `eth_getLogs` block ranges. Providers cap a query by blocks, by results or by bytes,
 * and say so in different words. The controller aims at `targetLogs` logs per query:
 * - after a success it scales the range by target / logs (at most doubling, so a sparse stretch
 *   cannot launch it into a dense one);
 * - after a range-limit error it quarters the range and caps growth at half the failed size; the
 *   cap relaxes by half again after each success, so a dense stretch is not retried at once and a
 *   sparse tail still grows back to `max`.
 * Any other error is not a range problem and goes to the caller.
 */
import { BaseError as ViemError, HttpRequestError, ResponseBodyTooLargeError, RpcRequestError, TimeoutError } from "viem";

export interface BlockRangePolicy {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
  /** Logs per query to aim at (a log is about 1 KB of JSON: 8,000 stay under 10 MB). */
  readonly targetLogs: number;
}

/** Starts small: sparse histories grow to `max` in a few queries, dense ones never overshoot by much. */
export const DEFAULT_BLOCK_RANGE: BlockRangePolicy = { initial: 16, min: 1, max: 100_000, targetLogs: 8_000 };

export interface RangeController {
  /** The range to ask for next. */
  size(): number;
  /** A query of `size` blocks returned `logCount` logs. */
  succeeded(size: number, logCount: number): void;
  /** A query of `size` blocks failed with a range limit; false when it cannot shrink further. */
  limited(size: number): boolean;
}

export function createRangeController(policy: BlockRangePolicy = DEFAULT_BLOCK_RANGE): RangeController {
  let current = Math.max(policy.min, Math.min(policy.initial, policy.max));
  let ceiling = Number.POSITIVE_INFINITY;
  return {
    size: () => current,
    succeeded(size, logCount) {
      const scaled = logCount === 0 ? size * 2 : Math.floor((size * policy.targetLogs) / logCount);
      current = Math.max(policy.min, Math.min(scaled, size * 2, policy.max, Math.floor(ceiling)));
      ceiling *= 1.5;
    },
    limited(size) {
      if (size <= policy.min) return false;
      ceiling = Math.max(policy.min, Math.min(ceiling, Math.floor(size / 2)));
      current = Math.max(policy.min, Math.floor(size / 4));
      return true;
    },
  };
}

const LIMIT_WORDS =
  /block range|range (is )?too (large|wide|big)|too many (results|logs|blocks)|limit exceeded|query returned more than|response (size|is too)|exceed|max(imum)? (block )?range|results? (limit|cap)|query timeout|-32005/i;

/** True for a failure of the connection itself (reset, closed), worth one more try. */
export function isTransientError(error: unknown): boolean {
  const causes: unknown[] = [];
  if (error instanceof ViemError) error.walk((cause) => (causes.push(cause), false));
  else causes.push(error);
  return causes.some(
    (cause) =>
      (cause instanceof HttpRequestError && cause.status === undefined) ||
      (cause instanceof Error && /ECONNRESET|EPIPE|socket|other side closed|fetch failed/i.test(cause.message)),
  );
}

/** True when `error` means "ask for fewer blocks", in any of the ways providers say it. */
export function isRangeLimitError(error: unknown): boolean {
  const causes: unknown[] = [];
  if (error instanceof ViemError) error.walk((cause) => (causes.push(cause), false));
  else causes.push(error);
  return causes.some((cause) => {
    if (cause instanceof ResponseBodyTooLargeError || cause instanceof TimeoutError) return true;
    if (cause instanceof HttpRequestError && cause.status === 413) return true;
    if (cause instanceof RpcRequestError && cause.code === -32005) return true;
    const text = cause instanceof ViemError ? `${cause.details ?? ""} ${cause.shortMessage}` : cause instanceof Error ? cause.message : "";
    return LIMIT_WORDS.test(text);
  });
}

/**
 * Adaptive `eth_getLogs` block ranges. Providers cap a query by blocks, by results or by bytes,
 * and say so in different words; a range that fails that way is halved and retried, and a range
 * that succeeds with few logs is doubled for the next query. Any other error is not a range
 * problem and goes to the caller.
 */
import { BaseError as ViemError, HttpRequestError, ResponseBodyTooLargeError, RpcRequestError, TimeoutError } from "viem";

export interface BlockRangePolicy {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
  /** Grow while a query returns fewer logs than half of this; shrink above it. */
  readonly targetLogs: number;
}

export const DEFAULT_BLOCK_RANGE: BlockRangePolicy = { initial: 2_000, min: 1, max: 100_000, targetLogs: 8_000 };

/** The next range after a query of `size` blocks returned `logCount` logs. */
export function rangeAfterSuccess(size: number, logCount: number, policy: BlockRangePolicy): number {
  if (logCount < policy.targetLogs / 2) return Math.min(policy.max, size * 2);
  if (logCount > policy.targetLogs) return Math.max(policy.min, Math.floor(size / 2));
  return size;
}

/** The range to retry with after a range-limit error, or undefined when it cannot shrink. */
export function rangeAfterLimit(size: number, policy: BlockRangePolicy): number | undefined {
  return size > policy.min ? Math.max(policy.min, Math.floor(size / 2)) : undefined;
}

const LIMIT_WORDS =
  /block range|range (is )?too (large|wide|big)|too many (results|logs|blocks)|limit exceeded|query returned more than|response (size|is too)|exceed|max(imum)? (block )?range|results? (limit|cap)|query timeout|-32005/i;

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

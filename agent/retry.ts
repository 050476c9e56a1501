import { AgentError, isTransientAgentError } from "./errors";

/**
 * Exponential backoff for transient failures (KMS unreachable, 429, 5xx, RPC down). Refusals
 * are never retried: `withRetry` rethrows anything that is not a transient `AgentError` at
 * once. Delays double from `initialDelayMs` up to `maxDelayMs`, with "equal jitter" (each
 * delay is between half and all of its step) so agents that lost the KMS together do not
 * return together. A KMS `Retry-After` raises the delay, up to `maxDelayMs`.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. 1 disables retries. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 8,
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  multiplier: 2,
});

export interface RetryNotice {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  error: AgentError;
}

export interface WithRetryOptions {
  policy: RetryPolicy;
  /** What is being attempted, for the final message ("key request"). */
  what: string;
  onRetry?: (notice: RetryNotice) => void;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); the jitter source. */
  random?: () => number;
}

export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const { maxAttempts, initialDelayMs, maxDelayMs, multiplier } = policy;
  const ok =
    Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 1000 &&
    Number.isFinite(initialDelayMs) && initialDelayMs >= 0 &&
    Number.isFinite(maxDelayMs) && maxDelayMs >= initialDelayMs &&
    Number.isFinite(multiplier) && multiplier >= 1;
  if (!ok) throw new AgentError("INPUT_INVALID", `retry policy is invalid: ${JSON.stringify(policy)}`);
  return policy;
}

/** The wait after failed attempt `attempt` (1-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number, retryAfterMs?: number): number {
  const step = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (attempt - 1));
  const jittered = step / 2 + (step / 2) * random();
  const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, policy.maxDelayMs);
  return Math.round(Math.max(jittered, floor));
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: WithRetryOptions): Promise<T> {
  const policy = checkRetryPolicy(options.policy);
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!isTransientAgentError(error)) throw error;
      if (attempt >= policy.maxAttempts) {
        throw new AgentError(error.code, `${options.what} gave up after ${attempt} attempt(s): ${error.message}`, {
          cause: error,
          ...(error.kmsErrorCode ? { kmsErrorCode: error.kmsErrorCode } : {}),
          ...(error.kmsReason ? { kmsReason: error.kmsReason } : {}),
          ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}),
        });
      }
      const delayMs = backoffDelay(policy, attempt, random, error.retryAfterMs);
      options.onRetry?.({ attempt, maxAttempts: policy.maxAttempts, delayMs, error });
      await sleep(delayMs);
    }
  }
}

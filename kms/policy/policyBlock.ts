import type { Hex, PublicClient } from "viem";
import { policyUnavailable } from "../errors";

/**
 * The policy block: `latest − confirmations`, with its hash, refreshed in the background.
 * Every decision is read at this block, and its number and hash go into the leaf and the
 * receipt. Fail closed: when the block cannot be refreshed within `maxAgeMs`, callers get
 * `POLICY_UNAVAILABLE` (503), never an old answer; the next successful poll recovers.
 *
 * A newer block is adopted only after `prepare(next)` settled (at most `prepareTimeoutMs`):
 * the KMS passes the policy reader's `warm`, so the answers requests need at the new block
 * are read before requests move to it. Until then requests keep the current block, which
 * is still within `maxAgeMs` (the wait is bounded well below it), so a revocation takes
 * effect at most one warm-up (a few RPC round trips) later than without it.
 */
export interface PolicyBlock {
  number: number;
  hash: Hex;
}

export interface PolicyBlockStatus {
  block: PolicyBlock | undefined;
  /** Unix ms of the last successful refresh. */
  fetchedAt: number | undefined;
  lastError: string | undefined;
  stale: boolean;
}

export interface PolicyBlockSource {
  /** A block no older than `maxAgeMs`, refreshing on demand; throws POLICY_UNAVAILABLE. */
  current(): Promise<PolicyBlock>;
  /** Refreshes now (shared with a refresh already running). */
  refresh(): Promise<PolicyBlock>;
  status(): PolicyBlockStatus;
  start(): void;
  stop(): void;
}

export interface PolicyBlockSourceOptions {
  client: Pick<PublicClient, "getBlockNumber" | "getBlock">;
  confirmations: number;
  /** Background refresh period (default 500 ms). */
  pollIntervalMs?: number;
  /** Oldest block a request may use before it waits for a refresh (default 2000 ms). */
  maxAgeMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
  /** Runs before a newer block replaces the current one; its failure does not stop the switch. */
  prepare?: (next: PolicyBlock) => Promise<void>;
  /** Longest wait for `prepare` (default a quarter of `maxAgeMs`). */
  prepareTimeoutMs?: number;
}

export function createPolicyBlockSource(options: PolicyBlockSourceOptions): PolicyBlockSource {
  const { client, confirmations } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const maxAgeMs = options.maxAgeMs ?? 2000;
  const now = options.now ?? Date.now;
  const prepareTimeoutMs = options.prepareTimeoutMs ?? maxAgeMs / 4;
  let block: PolicyBlock | undefined;
  let fetchedAt: number | undefined;
  let lastError: string | undefined;
  let inFlight: Promise<PolicyBlock> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const fetchBlock = async (): Promise<PolicyBlock> => {
    const latest = await client.getBlockNumber({ cacheTime: 0 });
    const number = latest > BigInt(confirmations) ? latest - BigInt(confirmations) : 0n;
    const found = await client.getBlock({ blockNumber: number });
    if (!found.hash) throw new Error(`block ${number} has no hash`);
    return { number: Number(number), hash: found.hash };
  };

  /** `prepare(next)`, waited for at most `prepareTimeoutMs`; never rejects. */
  const prepared = async (next: PolicyBlock): Promise<void> => {
    if (!options.prepare) return;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.resolve(next)
        .then(options.prepare)
        .catch(() => undefined),
      new Promise<void>((resolve) => {
        timeout = setTimeout(resolve, prepareTimeoutMs);
      }),
    ]);
    clearTimeout(timeout);
  };

  /** One fetch at a time; callers that only need "fresh enough" share it. */
  const sharedFetch = (): Promise<PolicyBlock> => {
    inFlight ??= fetchBlock()
      .then(
        async (fresh) => {
          // The block's age counts from when it was read, not from the end of its warm-up.
          const readAt = now();
          if (block && fresh.number > block.number) await prepared(fresh);
          // Never move backwards (a lagging RPC replica): keep the newer block.
          if (!block || fresh.number >= block.number) block = fresh;
          fetchedAt = readAt;
          lastError = undefined;
          return block;
        },
        (error: unknown) => {
          lastError = error instanceof Error ? error.message.split("\n")[0] : String(error);
          options.onError?.(error);
          throw policyUnavailable("cannot read the policy block from the RPC", error);
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  /** A fetch that starts after this call: a running one may have read the chain too early. */
  const refresh = async (): Promise<PolicyBlock> => {
    if (inFlight) await inFlight.catch(() => undefined);
    return sharedFetch();
  };

  const isFresh = () => block !== undefined && fetchedAt !== undefined && now() - fetchedAt <= maxAgeMs;

  return {
    current: async () => (isFresh() ? (block as PolicyBlock) : sharedFetch()),
    refresh,
    status: () => ({ block, fetchedAt, lastError, stale: !isFresh() }),
    start: () => {
      if (timer) return;
      timer = setInterval(() => void sharedFetch().catch(() => undefined), pollIntervalMs);
      timer.unref();
    },
    stop: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

import { createHmac, randomBytes } from "node:crypto";

/**
 * Single-use challenge nonces for `GET /v1/challenge` (DESIGN.md, Key release step 1).
 *
 * Rules:
 * - A nonce is 32 random bytes and lives `ttlMs`: it is valid while `now <= expiresAt`.
 * - `consume` succeeds once. A consumed nonce is remembered, so presenting it again says
 *   "reused" (not "unknown"), which tells an operator it was a replay, not a typo.
 * - After expiry an entry is kept for one more `ttlMs` so a late agent hears "expired"
 *   rather than "unknown"; then it is forgotten and reads as "unknown".
 * - Memory is bounded: at most `maxOutstanding` nonces are remembered (issued, consumed or
 *   expired-but-kept). Issuing past the bound evicts the oldest by issue order; an evicted
 *   nonce reads as "unknown".
 *
 * Entries sit in a FIFO in issue order beside the lookup Map, so both eviction and the lazy
 * sweep of forgotten entries pop from the front: O(1) amortised per call, no timers. (The
 * Map's own insertion order is not used: V8 leaves holes for deleted keys, and a fresh
 * iterator walks over all of them, which made front-popping O(holes).)
 *
 * Timing: entries are looked up by HMAC-SHA256(storeKey, nonce) with a per-store random key,
 * never by the nonce itself. Whatever the Map's string hashing and comparison reveal through
 * timing is about keyed digests an attacker cannot relate to stored nonces, and no nonce
 * bytes are compared anywhere else.
 */
export type ConsumeResult = "ok" | "unknown" | "expired" | "reused";

export interface IssuedNonce {
  nonce: Uint8Array;
  /** Milliseconds since the epoch (same clock as `now`); the nonce is valid up to and including it. */
  expiresAt: number;
}

export interface NonceStore {
  issue(): IssuedNonce;
  consume(nonce: Uint8Array): ConsumeResult;
  /** Number of remembered nonces, for metrics and tests. Never exceeds `maxOutstanding`. */
  size(): number;
}

export interface NonceStoreOptions {
  ttlMs?: number;
  maxOutstanding?: number;
  now?: () => number;
  random?: (size: number) => Uint8Array;
}

export const NONCE_SIZE = 32;

interface Entry {
  key: string;
  expiresAt: number;
  consumed: boolean;
}

/** An array queue with a moving head; compacts when the dead prefix outgrows the live part. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export function createNonceStore(options: NonceStoreOptions = {}): NonceStore {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxOutstanding = options.maxOutstanding ?? 100_000;
  const now = options.now ?? Date.now;
  const random = options.random ?? randomBytes;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw new RangeError("ttlMs must be a positive integer");
  if (!Number.isSafeInteger(maxOutstanding) || maxOutstanding <= 0) {
    throw new RangeError("maxOutstanding must be a positive integer");
  }

  const lookupKey = Uint8Array.from(random(32));
  const entries = new Map<string, Entry>();
  const issueOrder = new Fifo<Entry>();
  const keyOf = (nonce: Uint8Array): string => createHmac("sha256", lookupKey).update(nonce).digest("base64");

  /** Forgets entries past expiry + ttl, from the oldest; stops at the first one still kept. */
  function sweep(at: number): void {
    for (let oldest = issueOrder.peek(); oldest && at > oldest.expiresAt + ttlMs; oldest = issueOrder.peek()) {
      forgetOldest();
    }
  }

  function forgetOldest(): void {
    const oldest = issueOrder.shift();
    if (oldest) entries.delete(oldest.key);
  }

  function issue(): IssuedNonce {
    const at = now();
    sweep(at);
    while (issueOrder.length >= maxOutstanding) forgetOldest();
    const nonce = Uint8Array.from(random(NONCE_SIZE));
    if (nonce.length !== NONCE_SIZE) throw new RangeError(`random source returned ${nonce.length} bytes, not ${NONCE_SIZE}`);
    const expiresAt = at + ttlMs;
    const entry: Entry = { key: keyOf(nonce), expiresAt, consumed: false };
    // A repeated nonce from a broken random source must not leave two queue slots for one key.
    if (entries.has(entry.key)) throw new RangeError("random source repeated a nonce");
    entries.set(entry.key, entry);
    issueOrder.push(entry);
    return { nonce, expiresAt };
  }

  function consume(nonce: Uint8Array): ConsumeResult {
    if (!(nonce instanceof Uint8Array) || nonce.length !== NONCE_SIZE) return "unknown";
    const at = now();
    sweep(at);
    const entry = entries.get(keyOf(nonce));
    if (!entry) return "unknown";
    if (entry.consumed) return "reused";
    if (at > entry.expiresAt) return "expired";
    entry.consumed = true;
    return "ok";
  }

  return { issue, consume, size: () => entries.size };
}

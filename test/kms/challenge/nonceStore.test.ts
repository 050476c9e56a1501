import { describe, expect, it } from "vitest";
import { createNonceStore } from "../../../kms/challenge/nonceStore";

/** A controllable clock. */
function clock(start = 1_700_000_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => void (time += ms) };
}

/** A cheap, distinct "random" source for the large tests: a counter in the first bytes. */
function counterRandom() {
  let counter = 0;
  return (size: number): Uint8Array => {
    const out = new Uint8Array(size);
    new DataView(out.buffer).setUint32(0, counter++);
    return out;
  };
}

describe("nonce store", () => {
  it("issues 32 random bytes that expire ttl after issue", () => {
    const time = clock();
    const store = createNonceStore({ now: time.now });
    const issued = store.issue();
    expect(issued.nonce).toBeInstanceOf(Uint8Array);
    expect(issued.nonce).toHaveLength(32);
    expect(issued.expiresAt).toBe(time.now() + 60_000);
    expect(Buffer.from(store.issue().nonce).equals(Buffer.from(issued.nonce))).toBe(false);
  });

  it("accepts a fresh nonce once: ok", () => {
    const store = createNonceStore();
    expect(store.consume(store.issue().nonce)).toBe("ok");
  });

  it("accepts a nonce at exactly its expiry time", () => {
    const time = clock();
    const store = createNonceStore({ ttlMs: 1000, now: time.now });
    const { nonce } = store.issue();
    time.advance(1000);
    expect(store.consume(nonce)).toBe("ok");
  });

  it("refuses a nonce 1 ms after its ttl as expired", () => {
    const time = clock();
    const store = createNonceStore({ ttlMs: 1000, now: time.now });
    const { nonce } = store.issue();
    time.advance(1001);
    expect(store.consume(nonce)).toBe("expired");
  });

  it("refuses a second use as reused, also after expiry while it is remembered", () => {
    const time = clock();
    const store = createNonceStore({ ttlMs: 1000, now: time.now });
    const { nonce } = store.issue();
    expect(store.consume(nonce)).toBe("ok");
    expect(store.consume(nonce)).toBe("reused");
    time.advance(1500);
    expect(store.consume(nonce)).toBe("reused");
  });

  it("refuses a nonce it never issued as unknown, whatever its length", () => {
    const store = createNonceStore();
    store.issue();
    expect(store.consume(new Uint8Array(32).fill(7))).toBe("unknown");
    expect(store.consume(new Uint8Array(31))).toBe("unknown");
    expect(store.consume(new Uint8Array(0))).toBe("unknown");
  });

  it("forgets a nonce one ttl after its expiry: it then reads as unknown, and memory is freed", () => {
    const time = clock();
    const store = createNonceStore({ ttlMs: 1000, now: time.now });
    const { nonce } = store.issue();
    store.consume(nonce);
    time.advance(2001);
    expect(store.consume(nonce)).toBe("unknown");
    expect(store.size()).toBe(0);
  });

  it("sweeps old entries lazily on issue, oldest first, keeping the ones still remembered", () => {
    const time = clock();
    const store = createNonceStore({ ttlMs: 1000, now: time.now });
    store.issue();
    store.issue();
    time.advance(1500);
    const recent = store.issue().nonce;
    time.advance(600); // first two are past expiry + ttl; the recent one is not
    store.issue();
    expect(store.size()).toBe(2);
    expect(store.consume(recent)).toBe("ok");
  });

  it("evicts the oldest nonces by issue order when maxOutstanding is reached", () => {
    const store = createNonceStore({ maxOutstanding: 3 });
    const [a, b, c] = [store.issue().nonce, store.issue().nonce, store.issue().nonce];
    expect(store.size()).toBe(3);
    const d = store.issue().nonce;
    expect(store.size()).toBe(3);
    expect(store.consume(a)).toBe("unknown");
    expect(store.consume(b)).toBe("ok");
    expect(store.consume(c)).toBe("ok");
    expect(store.consume(d)).toBe("ok");
  });

  it("keeps memory bounded under 1e6 issues that are never consumed", () => {
    const time = clock();
    const maxOutstanding = 10_000;
    const store = createNonceStore({ maxOutstanding, now: time.now, random: counterRandom() });
    let largest = 0;
    for (let i = 0; i < 1_000_000; i++) {
      store.issue();
      if ((i & 1023) === 0) largest = Math.max(largest, store.size());
    }
    largest = Math.max(largest, store.size());
    expect(largest).toBe(maxOutstanding);
  });

  it("uses the injected random source and never returns the store's lookup key as a nonce", () => {
    const calls: number[] = [];
    const store = createNonceStore({
      random: (size) => {
        calls.push(size);
        return new Uint8Array(size).fill(calls.length);
      },
    });
    const { nonce } = store.issue();
    expect(calls).toEqual([32, 32]);
    expect(nonce[0]).toBe(2);
  });

  it("rejects a random source that returns the wrong number of bytes", () => {
    const store = createNonceStore({ random: () => new Uint8Array(16) });
    expect(() => store.issue()).toThrow(RangeError);
  });

  it("rejects a random source that repeats a nonce instead of issuing it twice", () => {
    const store = createNonceStore({ random: (size) => new Uint8Array(size) });
    store.issue();
    expect(() => store.issue()).toThrow(/repeated/);
    expect(store.size()).toBe(1);
  });

  it("rejects nonsensical options at construction", () => {
    expect(() => createNonceStore({ ttlMs: 0 })).toThrow(RangeError);
    expect(() => createNonceStore({ maxOutstanding: 0 })).toThrow(RangeError);
  });
});

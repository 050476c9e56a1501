import { describe, expect, it } from "vitest";
import { type Hex, zeroAddress } from "viem";
import { KmsError } from "../../kms/errors";
import { type PolicyBlock, createPolicyBlockSource } from "../../kms/policy/policyBlock";
import { createPolicyReader } from "../../kms/policy/policyReader";

/** The policy block and memoised policy reads, against a fake RPC that can fail. */
function fakeChain() {
  const state = { latest: 100n, down: false, calls: 0, reads: [] as string[] };
  const client = {
    getBlockNumber: async () => {
      if (state.down) throw new Error("connection refused");
      return state.latest;
    },
    getBlock: async ({ blockNumber }: { blockNumber: bigint }) => ({ hash: `0x${blockNumber.toString(16).padStart(64, "0")}` as Hex }),
    readContract: async ({ functionName, blockNumber }: { functionName: string; blockNumber: bigint }) => {
      state.calls++;
      state.reads.push(`${functionName}@${blockNumber}`);
      if (state.down) throw new Error("connection refused");
      return true;
    },
  };
  return { state, client };
}

describe("createPolicyBlockSource", () => {
  it("reads the policy at latest − confirmations and records that block's hash", async () => {
    const { client } = fakeChain();
    const source = createPolicyBlockSource({ client: client as never, confirmations: 3 });
    expect(await source.current()).toEqual({ number: 97, hash: `0x${(97).toString(16).padStart(64, "0")}` });
  });

  it("fails closed with POLICY_UNAVAILABLE once its block is older than maxAgeMs and the RPC is down, and recovers", async () => {
    const { state, client } = fakeChain();
    let clock = 0;
    const source = createPolicyBlockSource({ client: client as never, confirmations: 0, maxAgeMs: 2000, now: () => clock });
    await source.current();
    state.down = true;
    clock = 1500;
    expect((await source.current()).number).toBe(100); // still fresh enough
    clock = 2500;
    await expect(source.current()).rejects.toSatisfy((error: unknown) => error instanceof KmsError && error.code === "POLICY_UNAVAILABLE");
    expect(source.status()).toMatchObject({ stale: true, lastError: "connection refused" });
    state.down = false;
    state.latest = 105n;
    expect((await source.current()).number).toBe(105);
    expect(source.status().stale).toBe(false);
  });

  it("adopts a newer block only once prepare(next) has settled, keeping the current one meanwhile", async () => {
    const { state, client } = fakeChain();
    const prepared: number[] = [];
    let finish = () => {};
    let clock = 0;
    const source = createPolicyBlockSource({
      client: client as never,
      confirmations: 0,
      now: () => clock,
      prepare: (next) => {
        prepared.push(next.number);
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    expect((await source.current()).number).toBe(100);
    expect(prepared).toEqual([]); // nothing to prepare for the first block
    state.latest = 101n;
    clock = 1000;
    const refreshing = source.refresh();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(prepared).toEqual([101]);
    expect((await source.current()).number).toBe(100);
    clock = 1400;
    finish();
    expect((await refreshing).number).toBe(101);
    expect((await source.current()).number).toBe(101);
    expect(source.status().fetchedAt).toBe(1000); // its age counts from the read, not the warm-up's end
    await source.refresh(); // the same block again: nothing to prepare
    expect(prepared).toEqual([101]);
  });

  it("switches anyway when prepare fails or outlasts prepareTimeoutMs", async () => {
    const { state, client } = fakeChain();
    const failing = createPolicyBlockSource({ client: client as never, confirmations: 0, prepare: async () => Promise.reject(new Error("rpc down")) });
    await failing.current();
    state.latest = 101n;
    expect((await failing.refresh()).number).toBe(101);

    const hanging = createPolicyBlockSource({ client: client as never, confirmations: 0, prepareTimeoutMs: 20, prepare: () => new Promise<void>(() => {}) });
    await hanging.current();
    state.latest = 102n;
    const started = Date.now();
    expect((await hanging.refresh()).number).toBe(102);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});

describe("createPolicyReader", () => {
  const block = { number: 10, hash: `0x${"aa".repeat(32)}` as Hex };

  it("asks the RPC each question once per policy block", async () => {
    const { state, client } = fakeChain();
    const reader = createPolicyReader({ client: client as never, appRegistry: zeroAddress, platformPolicy: zeroAddress });
    const hash = new Uint8Array(32).fill(1);
    await Promise.all(Array.from({ length: 50 }, () => reader.isPlatformHashAllowed(block, hash)));
    expect(state.calls).toBe(1);
    await reader.isPlatformHashAllowed({ number: 11, hash: `0x${"bb".repeat(32)}` }, hash);
    await reader.isPlatformHashAllowed({ number: 10, hash: `0x${"cc".repeat(32)}` }, hash); // a reorged block 10
    expect(state.calls).toBe(3);
  });

  it("turns RPC failures into POLICY_UNAVAILABLE and does not remember them", async () => {
    const { state, client } = fakeChain();
    const reader = createPolicyReader({ client: client as never, appRegistry: zeroAddress, platformPolicy: zeroAddress });
    state.down = true;
    await expect(reader.isTcbStatusAllowed(block, 0)).rejects.toSatisfy((error: unknown) => error instanceof KmsError && error.code === "POLICY_UNAVAILABLE");
    state.down = false;
    expect(await reader.isTcbStatusAllowed(block, 0)).toBe(true);
  });

  const next = (number: number): PolicyBlock => ({ number, hash: `0x${number.toString(16).padStart(64, "0")}` });
  const appId = new Uint8Array(20).fill(7);
  const composeHash = new Uint8Array(32).fill(8);
  const platformHash = new Uint8Array(32).fill(9);

  it("warm(next) reads at next what requests asked at the block before, so requests there find the answers", async () => {
    const { state, client } = fakeChain();
    const reader = createPolicyReader({ client: client as never, appRegistry: zeroAddress, platformPolicy: zeroAddress });
    await reader.isKmsIdentity(next(10), zeroAddress);
    await reader.isPlatformAllowed(next(10), platformHash, 0);
    await reader.releaseDecision(next(10), appId, composeHash);
    state.reads = [];
    await reader.warm(next(11));
    expect(state.reads.sort()).toEqual(["isKmsIdentity@11", "isPlatformAllowed@11", "isReleaseAllowed@11"]);
    await reader.isKmsIdentity(next(11), zeroAddress);
    await reader.isPlatformAllowed(next(11), platformHash, 0);
    expect(await reader.releaseDecision(next(11), appId, composeHash)).toEqual({ allowed: true });
    expect(state.reads).toHaveLength(3); // all answered from the warm-up
  });

  it("warm carries only questions that requests asked at the previous block, at most maxWarmQuestions", async () => {
    const { state, client } = fakeChain();
    const reader = createPolicyReader({ client: client as never, appRegistry: zeroAddress, platformPolicy: zeroAddress, maxWarmQuestions: 2 });
    await reader.warm(next(10)); // nothing asked yet: nothing read
    expect(state.reads).toEqual([]);
    await reader.isTcbStatusAllowed(next(10), 0);
    await reader.isTcbStatusAllowed(next(10), 1);
    await reader.isTcbStatusAllowed(next(10), 2);
    await reader.isTcbStatusAllowed(next(10), 0); // asked again: now the most recent
    state.reads = [];
    await reader.warm(next(11));
    expect(state.reads).toEqual(["isTcbStatusAllowed@11", "isTcbStatusAllowed@11"]);
    const warmed = state.calls;
    await reader.isTcbStatusAllowed(next(11), 0); // the most recently asked was carried; a request asks only this one at 11
    expect(state.calls).toBe(warmed);
    state.reads = [];
    await reader.warm(next(12));
    expect(state.reads).toEqual(["isTcbStatusAllowed@12"]);
    const calls = state.calls;
    await reader.isTcbStatusAllowed(next(12), 0);
    expect(state.calls).toBe(calls);
    await reader.isTcbStatusAllowed(next(12), 2); // not carried: asked at 12 itself
    expect(state.calls).toBe(calls + 1);
  });

  it("warm never rejects, and a read that failed during it is asked again by the next request", async () => {
    const { state, client } = fakeChain();
    const reader = createPolicyReader({ client: client as never, appRegistry: zeroAddress, platformPolicy: zeroAddress });
    await reader.isPlatformHashAllowed(next(10), platformHash);
    state.down = true;
    await expect(reader.warm(next(11))).resolves.toBeUndefined();
    state.down = false;
    const calls = state.calls;
    expect(await reader.isPlatformHashAllowed(next(11), platformHash)).toBe(true);
    expect(state.calls).toBe(calls + 1);
  });
});

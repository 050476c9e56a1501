import { describe, expect, it } from "vitest";
import { type Hex, zeroAddress } from "viem";
import { KmsError } from "../../kms/errors";
import { createPolicyBlockSource } from "../../kms/policy/policyBlock";
import { createPolicyReader } from "../../kms/policy/policyReader";

/** The policy block and memoised policy reads, against a fake RPC that can fail. */
function fakeChain() {
  const state = { latest: 100n, down: false, calls: 0 };
  const client = {
    getBlockNumber: async () => {
      if (state.down) throw new Error("connection refused");
      return state.latest;
    },
    getBlock: async ({ blockNumber }: { blockNumber: bigint }) => ({ hash: `0x${blockNumber.toString(16).padStart(64, "0")}` as Hex }),
    readContract: async () => {
      state.calls++;
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
});

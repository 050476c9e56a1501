import { HttpRequestError, ResponseBodyTooLargeError, RpcRequestError, TimeoutError } from "viem";
import { describe, expect, it } from "vitest";
import { createRangeController, isRangeLimitError } from "../../core/audit";

describe("createRangeController", () => {
  const policy = { initial: 16, min: 1, max: 1000, targetLogs: 100 };

  it("grows at most twofold while queries return few logs, up to max", () => {
    const range = createRangeController(policy);
    const sizes = [];
    for (let step = 0; step < 8; step += 1) {
      sizes.push(range.size());
      range.succeeded(range.size(), 0);
    }
    expect(sizes).toEqual([16, 32, 64, 128, 256, 512, 1000, 1000]);
  });

  it("scales toward the target number of logs", () => {
    const range = createRangeController(policy);
    range.succeeded(16, 400); // 25 logs a block: 4 blocks make 100
    expect(range.size()).toBe(4);
    range.succeeded(4, 50);
    expect(range.size()).toBe(8);
  });

  it("quarters after a limit, stays under the failed size for a while, then relaxes; gives up at min", () => {
    const range = createRangeController(policy);
    expect(range.limited(16)).toBe(true);
    const sizes = [range.size()];
    for (let step = 0; step < 6; step += 1) {
      range.succeeded(range.size(), 0);
      sizes.push(range.size());
    }
    expect(sizes).toEqual([4, 8, 12, 18, 27, 40, 60]);
    const smallest = createRangeController({ ...policy, initial: 1 });
    expect(smallest.limited(1)).toBe(false);
  });
});

describe("isRangeLimitError", () => {
  const rpc = (code: number, message: string) => new RpcRequestError({ body: {}, error: { code, message }, url: "http://rpc" });

  it.each([
    ["a response over viem's size limit", new ResponseBodyTooLargeError({ size: 11_000_000, maxSize: 10_485_760 })],
    ["a timeout", new TimeoutError({ body: {}, url: "http://rpc" })],
    ["HTTP 413", new HttpRequestError({ url: "http://rpc", status: 413 })],
    ["-32005 limit exceeded", rpc(-32005, "limit exceeded")],
    ["Alchemy's block range words", rpc(-32600, "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range")],
    ["Infura's result cap", rpc(-32603, "query returned more than 10000 results")],
    ["a maximum range message", rpc(-32602, "eth_getLogs is limited to a maximum block range of 500")],
  ])("treats %s as a range limit", (_name, error) => {
    expect(isRangeLimitError(error)).toBe(true);
  });

  it.each([
    ["a refused connection", new HttpRequestError({ url: "http://rpc", cause: new Error("ECONNREFUSED") })],
    ["an unknown method", rpc(-32601, "method not found")],
    ["a plain error", new Error("boom")],
  ])("does not treat %s as a range limit", (_name, error) => {
    expect(isRangeLimitError(error)).toBe(false);
  });
});

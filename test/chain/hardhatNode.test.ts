import { describe, expect, it } from "vitest";
import { freeLoopbackPort, startHardhatNode } from "../../core/chain/hardhatNode";

/** The launcher reports ready only for its own node, never for another one already on the port. */
describe("startHardhatNode", () => {
  it("refuses a port another node already answers on, instead of adopting that node", async () => {
    const port = await freeLoopbackPort();
    const first = await startHardhatNode({ port });
    try {
      expect(first.url).toBe(`http://127.0.0.1:${port}`);
      await expect(startHardhatNode({ port, readyTimeoutMs: 30_000 })).rejects.toThrow(/exited with code/);
      // The first node is untouched.
      const response = await fetch(first.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
      expect(((await response.json()) as { result: string }).result).toBe("0x7a69");
    } finally {
      await first.stop();
    }
  }, 60_000);
});

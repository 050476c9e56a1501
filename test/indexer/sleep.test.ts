import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { sleep } from "../../indexer/indexer";

/** The indexer's poll loop sleeps forever on one signal: each sleep must leave no listener behind. */
describe("indexer poll sleep", () => {
  it("removes its abort listener when the timer fires", async () => {
    const controller = new AbortController();
    for (let round = 0; round < 50; round += 1) await sleep(0, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("ends early on abort, and at once when already aborted", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await pending;
    await sleep(60_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AttestationError } from "../../core/attestation/errors";
import { KmsError } from "../../kms/errors";
import { httpErrorOf } from "../../kms/httpErrors";
import { type WorkerPool, type WorkerPoolOptions, createWorkerPool } from "../../kms/workers/workerPool";
import type { PoolTestAnswer, PoolTestJob } from "./fixtures/poolTestWorker";

/** The generic worker pool under the release workers: dispatch, transfer, errors, and failing closed. */
const SCRIPT = path.join(__dirname, "fixtures/poolTestWorker.ts");
const pools: Array<WorkerPool<PoolTestJob, PoolTestAnswer>> = [];

function pool(options: Partial<WorkerPoolOptions> = {}): WorkerPool<PoolTestJob, PoolTestAnswer> {
  const created = createWorkerPool<PoolTestJob, PoolTestAnswer>({ script: SCRIPT, size: 2, timeoutMs: 5_000, ...options });
  pools.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((each) => each.close()));
});

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

function expectWorkerUnavailable(error: unknown): void {
  expect(error).toBeInstanceOf(KmsError);
  expect((error as KmsError).code).toBe("WORKER_UNAVAILABLE");
  expect(httpErrorOf(error).status).toBe(503);
}

describe("createWorkerPool", () => {
  it("starts every worker, passes its data, and spreads concurrent jobs over the workers", async () => {
    const workers = pool({ data: { label: "pool data" } });
    await workers.ready();
    expect(workers.threadIds()).toHaveLength(2);
    expect(workers.readyThreadIds()).toEqual(workers.threadIds());
    const answers = await Promise.all(Array.from({ length: 8 }, (_, value) => workers.run({ op: "echo", value, delayMs: 20 })));
    expect(answers.map((answer) => answer.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(answers.every((answer) => (answer.data as { label: string }).label === "pool data")).toBe(true);
    expect(new Set(answers.map((answer) => answer.threadId))).toEqual(new Set(workers.threadIds()));
  });

  it("moves transferred buffers instead of copying them, both ways", async () => {
    const workers = pool({ size: 1 });
    await workers.ready();
    const bytes = Uint8Array.of(1, 2, 3);
    const answer = await workers.run({ op: "double", bytes }, { transfer: [bytes.buffer] });
    expect(bytes.byteLength).toBe(0); // detached: the only copy went to the worker
    expect([...(answer.bytes as Uint8Array)]).toEqual([2, 4, 6]);
  });

  it("brings a typed refusal back as the same class and code, and anything else as a plain Error (500)", async () => {
    const workers = pool({ size: 1 });
    const refused = await rejection(workers.run({ op: "refuse" }));
    expect(refused).toBeInstanceOf(AttestationError);
    expect((refused as AttestationError).code).toBe("QUOTE_SIGNATURE_INVALID");
    expect((refused as Error).message).toBe("refused in the worker");
    const bug = await rejection(workers.run({ op: "bug" }));
    expect(bug).not.toBeInstanceOf(KmsError);
    expect(httpErrorOf(bug)).toMatchObject({ status: 500, body: { errorCode: "INTERNAL_ERROR" } });
    expect((await workers.run({ op: "echo", value: 1 })).value).toBe(1); // the worker survived both
  });

  it("fails every job of a worker that exits with 503 WORKER_UNAVAILABLE, replaces the worker, and serves again", async () => {
    const lost: Array<{ threadId: number; reason: string; jobsFailed: number }> = [];
    const workers = pool({ size: 1, jobsPerWorker: 4, onWorkerLost: (event) => lost.push(event) });
    await workers.ready();
    const [first] = workers.threadIds();
    const slow = rejection(workers.run({ op: "echo", value: 1, delayMs: 2_000 }));
    const exiting = rejection(workers.run({ op: "exit" }));
    expectWorkerUnavailable(await exiting);
    expectWorkerUnavailable(await slow); // held by the same worker: it fails too, never half-done
    expect(lost).toEqual([expect.objectContaining({ threadId: first, jobsFailed: 2 })]);
    expect(lost[0]?.reason).toMatch(/exited \(code 3\)/);
    await eventually(() => workers.readyThreadIds().length === 1); // loaded, not only started
    expect(workers.threadIds()).not.toContain(first);
    expect((await workers.run({ op: "echo", value: 7 })).value).toBe(7);
  });

  it("does not fail the jobs of other workers when one worker dies", async () => {
    const workers = pool({ size: 2, jobsPerWorker: 1 });
    await workers.ready();
    const survivor = workers.run({ op: "echo", value: 5, delayMs: 300 });
    expectWorkerUnavailable(await rejection(workers.run({ op: "exit" })));
    expect((await survivor).value).toBe(5);
  });

  it("fails a job unanswered within timeoutMs with WORKER_UNAVAILABLE and replaces the stuck worker", async () => {
    const lost: string[] = [];
    const workers = pool({ size: 1, timeoutMs: 300, onWorkerLost: (event) => lost.push(event.reason) });
    await workers.ready();
    const [stuck] = workers.threadIds();
    const started = Date.now();
    expectWorkerUnavailable(await rejection(workers.run({ op: "hang" })));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(lost).toEqual(["timed out after 300 ms"]);
    await eventually(() => workers.readyThreadIds().length === 1 && workers.readyThreadIds()[0] !== stuck);
    expect((await workers.run({ op: "echo", value: 2 })).value).toBe(2);
  });

  it("fails a job that no worker could take within timeoutMs (none is running) with WORKER_UNAVAILABLE", async () => {
    const workers = pool({ size: 1, timeoutMs: 300, data: { failToLoad: true } });
    await rejection(workers.ready());
    expect(workers.readyThreadIds()).toEqual([]); // whatever is being respawned has not loaded
    const failed = await rejection(workers.run({ op: "echo", value: 1 }));
    expectWorkerUnavailable(failed);
    expect((failed as Error).message).toMatch(/was not free within 300 ms/);
  });

  it("holds at most jobsPerWorker jobs per worker and runs queued high-priority jobs first", async () => {
    const workers = pool({ size: 1, jobsPerWorker: 1 });
    await workers.ready();
    const finished: number[] = [];
    const run = (value: number, priority: "high" | "normal") =>
      workers.run({ op: "echo", value, delayMs: 30 }, { priority }).then((answer) => finished.push(answer.value as number));
    await Promise.all([run(1, "normal"), run(2, "normal"), run(3, "normal"), run(4, "high")]);
    expect(finished).toEqual([1, 4, 2, 3]);
  });

  it("rejects ready() when a worker cannot load, and backs off instead of respawning in a loop", async () => {
    let losses = 0;
    const workers = pool({ size: 1, data: { failToLoad: true }, maxRespawnDelayMs: 60_000, onWorkerLost: () => losses++ });
    const failed = await rejection(workers.ready());
    expect(failed).toBeInstanceOf(KmsError);
    expect((failed as KmsError).message).toMatch(/failed to start/);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(losses).toBeGreaterThanOrEqual(1);
    expect(losses).toBeLessThanOrEqual(5); // back-off 100, 200, 400, 800 ms ...: a handful, not hundreds
  });

  it("close() fails queued and running jobs with WORKER_UNAVAILABLE and refuses new ones", async () => {
    const workers = pool({ size: 1, jobsPerWorker: 1 });
    await workers.ready();
    const running = rejection(workers.run({ op: "echo", value: 1, delayMs: 1_000 }));
    const queued = rejection(workers.run({ op: "echo", value: 2 }));
    await workers.close();
    expectWorkerUnavailable(await running);
    expectWorkerUnavailable(await queued);
    expectWorkerUnavailable(await rejection(workers.run({ op: "echo", value: 3 })));
    expect(workers.threadIds()).toEqual([]);
  });

  it("refuses a pool without workers", () => {
    expect(() => createWorkerPool({ script: SCRIPT, size: 0, timeoutMs: 1_000 })).toThrow(RangeError);
  });
});

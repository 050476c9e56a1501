import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { KmsError } from "../errors";
import type { JobRequestMessage, JobResultMessage } from "./serveJobs";
import { reviveError } from "./transferredError";

/**
 * A fixed-size pool of worker threads (the worker side is `serveJobs`).
 *
 * Scheduling: a job goes to the ready worker holding the fewest jobs. A worker holds at most
 * `jobsPerWorker`; the rest wait here, first in first out, `high` priority before `normal`,
 * so under overload the jobs of requests that are nearly done (a seal after its leaf is
 * committed) pass new ones. The bound is generous on purpose: an HPKE seal awaits a dozen
 * WebCrypto calls, and a worker that interleaves many of them keeps its core busy, where one
 * that holds two (measured) left it idle between calls and halved throughput.
 *
 * Fail closed: when a worker exits, throws outside a job, or misses a job's deadline, every
 * job it holds is rejected with `WORKER_UNAVAILABLE` (503: the caller releases nothing) and
 * a fresh worker takes its place; the pool never retries a job itself. A job still queued at
 * its deadline fails the same way (no worker was free). A worker that dies before it is
 * ready is replaced after a back-off (doubling to `maxRespawnDelayMs`), so a broken worker
 * script cannot spin the CPU.
 */
export interface WorkerPoolOptions {
  /** Absolute path of the worker's TypeScript entry (loaded through tsx, as the CLI is). */
  script: string;
  /** Workers (at least 1). */
  size: number;
  /** Jobs a worker holds at once (default 64); more wait in the pool's queue. */
  jobsPerWorker?: number;
  /** Structured-cloned to every worker as `workerData.data`. */
  data?: unknown;
  /** A job unanswered this many ms after it was submitted fails; if a worker held it, the worker is replaced. */
  timeoutMs: number;
  maxRespawnDelayMs?: number;
  /** Called when a worker is lost (crash, exit or timeout); the pool is already replacing it. */
  onWorkerLost?: (event: { threadId: number; reason: string; jobsFailed: number }) => void;
}

export type JobPriority = "high" | "normal";

export interface WorkerPool<Request, Response> {
  run(request: Request, options?: { transfer?: ArrayBuffer[]; priority?: JobPriority }): Promise<Response>;
  /** Resolves once every worker has loaded; rejects if one dies first (a start-up failure). */
  ready(): Promise<void>;
  readonly size: number;
  /** Thread ids of the current workers (for tests and logs). */
  threadIds(): number[];
  /** Thread ids of the workers that have loaded and take jobs (for tests). */
  readyThreadIds(): number[];
  /** Rejects queued and running jobs with WORKER_UNAVAILABLE and stops every worker. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  message: unknown;
  transfer: ArrayBuffer[];
  resolve: (response: never) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout | undefined;
  /** The slot running it; undefined while queued. */
  slot: Slot | undefined;
}

interface Slot {
  worker: Worker | undefined;
  /** The worker's thread id (Worker.threadId reads -1 once it exited). */
  threadId: number;
  ready: boolean;
  jobs: Map<number, Job>;
  /** Consecutive deaths before ready, for the respawn back-off. */
  earlyDeaths: number;
}

const TSX_CJS = createRequire(__filename).resolve("tsx/cjs");
/** Eval'd in each thread: register tsx, then load the entry named in workerData. */
const BOOTSTRAP = `require(${JSON.stringify(TSX_CJS)}); require(require("node:worker_threads").workerData.script);`;

export function workerUnavailable(reason: string): KmsError {
  return new KmsError("WORKER_UNAVAILABLE", `a release worker ${reason}; nothing was released, retry`);
}

export function createWorkerPool<Request, Response>(options: WorkerPoolOptions): WorkerPool<Request, Response> {
  if (!Number.isSafeInteger(options.size) || options.size < 1) throw new RangeError("a worker pool needs at least one worker");
  const jobsPerWorker = options.jobsPerWorker ?? 64;
  if (!Number.isSafeInteger(jobsPerWorker) || jobsPerWorker < 1) throw new RangeError("jobsPerWorker must be at least 1");
  const maxRespawnDelayMs = options.maxRespawnDelayMs ?? 30_000;
  const slots: Slot[] = Array.from({ length: options.size }, () => ({ worker: undefined, threadId: -1, ready: false, jobs: new Map(), earlyDeaths: 0 }));
  const queues: Record<JobPriority, Job[]> = { high: [], normal: [] };
  let nextId = 1;
  let closing = false;
  const respawnTimers = new Set<NodeJS.Timeout>();
  const startup = deferred();

  const settle = (job: Job) => {
    if (job.timer) clearTimeout(job.timer);
    job.timer = undefined;
  };

  /** The ready worker with the fewest jobs that can take one more. */
  const freeSlot = (): Slot | undefined => {
    let best: Slot | undefined;
    for (const slot of slots) {
      if (slot.worker && slot.ready && slot.jobs.size < jobsPerWorker && (!best || slot.jobs.size < best.jobs.size)) best = slot;
    }
    return best;
  };

  const dispatch = () => {
    for (;;) {
      if (queues.high.length === 0 && queues.normal.length === 0) return;
      const slot = freeSlot();
      const worker = slot?.worker;
      if (!slot || !worker) return;
      const job = (queues.high.shift() ?? queues.normal.shift()) as Job;
      job.slot = slot;
      slot.jobs.set(job.id, job);
      try {
        worker.postMessage(job.message, job.transfer);
      } catch (error) {
        slot.jobs.delete(job.id);
        settle(job);
        job.reject(error);
      }
    }
  };

  const lose = (slot: Slot, worker: Worker, reason: string) => {
    if (slot.worker !== worker) return; // already replaced
    const threadId = slot.threadId;
    const wasReady = slot.ready;
    slot.worker = undefined;
    slot.ready = false;
    const failed = [...slot.jobs.values()];
    slot.jobs.clear();
    for (const job of failed) {
      settle(job);
      job.reject(workerUnavailable(reason));
    }
    void worker.terminate().catch(() => undefined);
    if (closing) return;
    if (!wasReady) {
      slot.earlyDeaths += 1;
      startup.reject(new KmsError("INTERNAL_ERROR", `a release worker failed to start: ${reason}`));
    }
    options.onWorkerLost?.({ threadId, reason, jobsFailed: failed.length });
    const delay = slot.earlyDeaths === 0 ? 0 : Math.min(maxRespawnDelayMs, 100 * 2 ** (slot.earlyDeaths - 1));
    const timer = setTimeout(() => {
      respawnTimers.delete(timer);
      if (!closing && !slot.worker) spawn(slot);
    }, delay);
    respawnTimers.add(timer);
  };

  const spawn = (slot: Slot) => {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { script: options.script, data: options.data } });
    slot.worker = worker;
    slot.threadId = worker.threadId;
    slot.ready = false;
    worker.on("message", (message: JobResultMessage<Response>) => {
      if (slot.worker !== worker) return;
      if (message.type === "ready") {
        slot.ready = true;
        slot.earlyDeaths = 0;
        if (slots.every((each) => each.ready)) startup.resolve();
      } else {
        const job = slot.jobs.get(message.id);
        if (!job) return; // timed out already
        slot.jobs.delete(message.id);
        settle(job);
        if (message.ok) job.resolve(message.response as never);
        else job.reject(reviveError(message.error));
      }
      dispatch();
    });
    worker.on("error", (error) => lose(slot, worker, `crashed (${error.message})`));
    worker.on("exit", (code) => lose(slot, worker, `exited (code ${code})`));
  };

  const expire = (job: Job) => {
    job.timer = undefined;
    const slot = job.slot;
    if (!slot) {
      for (const queue of Object.values(queues)) {
        const at = queue.indexOf(job);
        if (at >= 0) queue.splice(at, 1);
      }
      job.reject(workerUnavailable(`was not free within ${options.timeoutMs} ms`));
      return;
    }
    const worker = slot.worker;
    if (!worker || !slot.jobs.delete(job.id)) return;
    job.reject(workerUnavailable(`did not answer within ${options.timeoutMs} ms`));
    lose(slot, worker, `timed out after ${options.timeoutMs} ms`);
  };

  for (const slot of slots) spawn(slot);

  return {
    size: options.size,
    run: (request, runOptions = {}) =>
      new Promise<Response>((resolve, reject) => {
        if (closing) {
          reject(workerUnavailable("pool is shutting down"));
          return;
        }
        const id = nextId++;
        const job: Job = {
          id,
          message: { id, request } satisfies JobRequestMessage<Request>,
          transfer: runOptions.transfer ?? [],
          resolve: resolve as (response: never) => void,
          reject,
          timer: undefined,
          slot: undefined,
        };
        job.timer = setTimeout(() => expire(job), options.timeoutMs);
        queues[runOptions.priority ?? "normal"].push(job);
        dispatch();
      }),
    ready: () => startup.promise,
    threadIds: () => slots.flatMap((slot) => (slot.worker ? [slot.threadId] : [])),
    readyThreadIds: () => slots.flatMap((slot) => (slot.worker && slot.ready ? [slot.threadId] : [])),
    close: async () => {
      closing = true;
      startup.reject(workerUnavailable("pool is shutting down")); // a no-op once every worker was ready
      for (const timer of respawnTimers) clearTimeout(timer);
      respawnTimers.clear();
      for (const job of [...queues.high.splice(0), ...queues.normal.splice(0)]) {
        settle(job);
        job.reject(workerUnavailable("pool is shutting down"));
      }
      await Promise.all(
        slots.map(async (slot) => {
          const worker = slot.worker;
          if (worker) lose(slot, worker, "pool is shutting down");
          await worker?.terminate().catch(() => undefined);
        }),
      );
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // observed through ready(); never an unhandled rejection
  return { promise, resolve, reject };
}

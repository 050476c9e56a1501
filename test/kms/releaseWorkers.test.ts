import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { fromHex } from "../../core/bytes";
import type { RunningKms } from "../../kms/server";
import { type TestChain, startTestChain } from "./testbedChain";
import {
  type HttpAnswer,
  publishTestApp,
  buildKeyRequest,
  getChallenge,
  makeAgentVm,
  openReleasedKey,
  postJson,
  requestKey,
  startTestKms,
  testComposeHash,
} from "./testbedKms";

/**
 * Fail closed when a release worker dies or hangs: the request holding it gets 503
 * WORKER_UNAVAILABLE and no key, the pool replaces the worker, and the KMS serves again.
 * A real KMS over HTTP, with one worker that runs the real job handler unless the mode file
 * (test/kms/fixtures/faultyReleaseWorker.ts) tells it to crash or hang on a job kind.
 */
const TIMEOUT_MS = 2_500;
let chain: TestChain;
let kms: RunningKms;
let appId: Hex;
let modeFile: string;
const composeHash = testComposeHash("release-workers");
const instanceId = fromHex("44".repeat(20));
const vm = () => makeAgentVm({ appId, composeHash, instanceId });

function setMode(mode: "" | "crash-attest" | "crash-seal" | "hang-seal"): void {
  fs.writeFileSync(modeFile, mode);
}

/** Until a new worker has loaded (a worker still loading would make the next request wait in the queue). */
async function replaced(previous: number[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (kms.workers.readyThreadIds().length === 0 || kms.workers.readyThreadIds().some((id) => previous.includes(id))) {
    if (Date.now() > deadline) throw new Error("the worker was not replaced");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectWorkerUnavailable(answer: HttpAnswer): void {
  expect(answer.status, JSON.stringify(answer.json)).toBe(503);
  expect(answer.json.errorCode).toBe("WORKER_UNAVAILABLE");
  expect(answer.json.sealedKey).toBeUndefined();
  expect(answer.json.receipt).toBeUndefined();
}

async function expectReleaseWorks(): Promise<void> {
  const answer = await requestKey(kms.url, vm());
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  const key = await openReleasedKey(answer, { chainId: 31337, appRegistry: chain.appRegistry, appId, instanceId });
  expect(key).toHaveLength(32);
}

beforeAll(async () => {
  chain = await startTestChain();
  modeFile = path.join(chain.tempDir, "worker-mode");
  setMode("");
  process.env.FAULTY_RELEASE_WORKER_MODE = modeFile; // workers copy the environment when they start
  kms = await startTestKms(chain, {
    env: { BASEKMS_WORKERS: "1" },
    start: { releaseWorkerScript: path.join(__dirname, "fixtures/faultyReleaseWorker.ts"), workerTimeoutMs: TIMEOUT_MS },
  });
  appId = await publishTestApp(chain, kms, composeHash);
});

afterAll(async () => {
  await kms?.close();
  await chain?.stop();
});

describe("release workers fail closed", () => {
  it("runs with the configured number of workers and releases through them", async () => {
    expect(kms.config.workers).toBe(1);
    expect(kms.workers.threadIds()).toHaveLength(1);
    await expectReleaseWorks();
  });

  it("answers 503 WORKER_UNAVAILABLE when the worker dies verifying the quote: no leaf, no key, nonce unspent; then serves again", async () => {
    const before = kms.workers.threadIds();
    const size = kms.log.size();
    const { nonce } = await getChallenge(kms.url);
    const request = await buildKeyRequest(vm(), nonce);
    setMode("crash-attest");
    try {
      expectWorkerUnavailable(await postJson(`${kms.url}/v1/keys`, request.body));
    } finally {
      setMode("");
    }
    expect(kms.log.size()).toBe(size);
    await replaced(before);
    // The quote was never checked and the nonce never consumed: the agent's retry succeeds.
    const retried = await postJson(`${kms.url}/v1/keys`, request.body);
    expect(retried.status, JSON.stringify(retried.json)).toBe(200);
    expect(kms.log.size()).toBe(size + 1);
  });

  it("answers 503 WORKER_UNAVAILABLE when the worker dies sealing the key: no key leaves (the committed leaf over-reports)", async () => {
    const before = kms.workers.threadIds();
    const size = kms.log.size();
    setMode("crash-seal");
    try {
      expectWorkerUnavailable(await requestKey(kms.url, vm()));
    } finally {
      setMode("");
    }
    // The leaf was committed before sealing (docs/kms.md: the log may over-report, never under-report).
    expect(kms.log.size()).toBe(size + 1);
    await replaced(before);
    await expectReleaseWorks();
  });

  it("times out a worker that never answers (503 WORKER_UNAVAILABLE after the timeout), replaces it, and serves again", async () => {
    const before = kms.workers.threadIds();
    setMode("hang-seal");
    const started = Date.now();
    try {
      expectWorkerUnavailable(await requestKey(kms.url, vm()));
    } finally {
      setMode("");
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    await replaced(before);
    await expectReleaseWorks();
  });

  it("counts lost workers and records their refusals", async () => {
    const metrics = await (await fetch(`${kms.url}/metrics`)).text();
    expect(metrics).toMatch(/basekms_release_workers_lost_total 3/);
    expect(metrics).toMatch(/basekms_refusals_total\{code="WORKER_UNAVAILABLE",endpoint="keys"\} 3/);
  });
});

import path from "node:path";
import type { SealedEnvelope } from "../../core/crypto/hpke";
import type { AttestRequest } from "../attest/verifyAttestedRequest";
import type { AttestationOutcome } from "../attest/checkAttestation";
import type { CollateralSource } from "../attest/collateralSource";
import type { KmsNetwork } from "../config";
import type { ReleaseJob, ReleaseJobResult, ReleaseWorkerData } from "./releaseJobs";
import { type WorkerPool, createWorkerPool } from "./workerPool";

/**
 * The main thread's handle on the release workers (docs/kms.md, "Worker threads"): a pool of
 * `size` threads running kms/workers/releaseWorker.ts. `attest` runs `checkAttestation` and
 * fetches collateral on the main thread when a worker asks for it; `seal` moves a derived
 * key into a worker, which seals it with HPKE and zeroes it. Either fails with 503
 * `WORKER_UNAVAILABLE` when its worker crashes or times out; the pool replaces the worker.
 */
export interface ReleaseWorkers {
  attest: AttestRequest;
  /** Seals `plaintext` (zeroed here at once: its bytes move to the worker) to `recipientPublicKey`. */
  seal(recipientPublicKey: Uint8Array, plaintext: Uint8Array, info: Uint8Array): Promise<SealedEnvelope>;
  ready(): Promise<void>;
  readonly size: number;
  threadIds(): number[];
  readyThreadIds(): number[];
  close(): Promise<void>;
}

export interface ReleaseWorkersOptions {
  size: number;
  network: KmsNetwork;
  collateral: CollateralSource;
  /** Default 10 s: far above any healthy job (about a millisecond), so only a stuck worker trips it. */
  timeoutMs?: number;
  /** Jobs each worker holds at once (default: the pool's, 64); the rest queue in the pool. */
  jobsPerWorker?: number;
  /** The worker entry; tests substitute a faulty one. */
  script?: string;
  onWorkerLost?: (event: { threadId: number; reason: string; jobsFailed: number }) => void;
}

export const DEFAULT_WORKER_TIMEOUT_MS = 10_000;
export const RELEASE_WORKER_SCRIPT = path.join(__dirname, "releaseWorker.ts");

export function createReleaseWorkers(options: ReleaseWorkersOptions): ReleaseWorkers {
  const pool: WorkerPool<ReleaseJob, ReleaseJobResult> = createWorkerPool({
    script: options.script ?? RELEASE_WORKER_SCRIPT,
    size: options.size,
    data: { network: options.network } satisfies ReleaseWorkerData,
    timeoutMs: options.timeoutMs ?? DEFAULT_WORKER_TIMEOUT_MS,
    ...(options.jobsPerWorker === undefined ? {} : { jobsPerWorker: options.jobsPerWorker }),
    ...(options.onWorkerLost ? { onWorkerLost: options.onWorkerLost } : {}),
  });

  const attestOnce = (job: Extract<ReleaseJob, { kind: "attest" }>) => pool.run(job) as Promise<AttestationOutcome>;

  return {
    attest: async (input) => {
      const job = { kind: "attest" as const, ...input };
      const outcome = await attestOnce(job);
      if (outcome.kind !== "need-collateral") return outcome;
      const collateral = await options.collateral.collateralFor(outcome.platform);
      const granted = await attestOnce({ ...job, collateral });
      if (granted.kind === "need-collateral") throw new Error("a release worker asked again for the collateral it was sent");
      return granted;
    },
    seal: async (recipientPublicKey, plaintext, info) => {
      // A private copy whose memory moves to the worker; the caller's buffer is zeroed now.
      // A seal finishes a request whose leaf is already committed, so it passes queued attestations.
      const moved = new Uint8Array(plaintext);
      plaintext.fill(0);
      try {
        return (await pool.run({ kind: "seal", recipientPublicKey, plaintext: moved, info }, { transfer: [moved.buffer], priority: "high" })) as SealedEnvelope;
      } finally {
        if (moved.byteLength > 0) moved.fill(0); // still here only if it never reached a worker
      }
    },
    ready: () => pool.ready(),
    size: pool.size,
    threadIds: () => pool.threadIds(),
    readyThreadIds: () => pool.readyThreadIds(),
    close: () => pool.close(),
  };
}

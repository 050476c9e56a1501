/**
 * Entry of a KMS release worker thread (started by `createReleaseWorkers`): serves
 * `ReleaseJob`s with `createReleaseJobHandler`. See kms/workers/releaseJobs.ts.
 */
import { workerData } from "node:worker_threads";
import { createReleaseJobHandler, type ReleaseWorkerData } from "./releaseJobs";
import { serveJobs } from "./serveJobs";

serveJobs(createReleaseJobHandler((workerData as { data: ReleaseWorkerData }).data));

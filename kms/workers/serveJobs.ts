import { parentPort } from "node:worker_threads";
import { type TransferredError, transferError } from "./transferredError";

/**
 * The worker side of `createWorkerPool`: answer each `{ id, request }` from the main thread
 * with the handler's result, or with its error as data (`transferError`). The handler may
 * name buffers to transfer instead of copy. `ready` is posted once the worker's modules are
 * loaded, so the pool (and the KMS start-up) knows it can take jobs.
 */
export type JobRequestMessage<Request> = { id: number; request: Request };

export type JobResultMessage<Response> =
  | { type: "ready" }
  | { type: "result"; id: number; ok: true; response: Response }
  | { type: "result"; id: number; ok: false; error: TransferredError };

export interface JobAnswer<Response> {
  response: Response;
  /** Buffers moved to the main thread rather than copied. */
  transfer?: ArrayBuffer[];
}

export type JobHandler<Request, Response> = (request: Request) => Promise<JobAnswer<Response>>;

export function serveJobs<Request, Response>(handler: JobHandler<Request, Response>): void {
  const port = parentPort;
  if (!port) throw new Error("serveJobs runs only inside a worker thread");
  port.on("message", (message: JobRequestMessage<Request>) => {
    handler(message.request).then(
      ({ response, transfer }) => port.postMessage({ type: "result", id: message.id, ok: true, response } satisfies JobResultMessage<Response>, transfer ?? []),
      (error: unknown) => port.postMessage({ type: "result", id: message.id, ok: false, error: transferError(error) } satisfies JobResultMessage<Response>),
    );
  });
  port.postMessage({ type: "ready" } satisfies JobResultMessage<Response>);
}

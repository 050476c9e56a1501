import { AttestationError } from "../errors";

/** The subset of WHATWG `fetch` the collateral client uses; inject a fake in tests. */
export type FetchFunction = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

export interface HttpGetOptions {
  fetch: FetchFunction;
  /** Whole request, body included. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpGetResult {
  body: Uint8Array;
  headers: Headers;
}

/** Collateral responses are kilobytes; anything near this is not a PCCS talking. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * One GET with a deadline. A network error, a timeout, an abort or a non-2xx status is
 * `COLLATERAL_UNAVAILABLE`: the collateral could not be had, which says nothing about the quote.
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpGetResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const unavailable = (what: string, cause?: unknown) =>
    new AttestationError("COLLATERAL_UNAVAILABLE", `GET ${redact(url)}: ${what}`, { cause });
  let response: Response;
  try {
    response = await options.fetch(url, { signal });
  } catch (error) {
    throw unavailable(timeout.aborted ? `no answer within ${options.timeoutMs} ms` : "request failed", error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw unavailable(`HTTP ${response.status}`);
  }
  let body: Uint8Array;
  try {
    body = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw unavailable(timeout.aborted ? `body not received within ${options.timeoutMs} ms` : "body read failed", error);
  }
  if (body.length > MAX_BODY_BYTES) {
    throw new AttestationError("COLLATERAL_MALFORMED", `GET ${redact(url)}: body of ${body.length} bytes is too large`);
  }
  return { body, headers: response.headers };
}

/** PCS URLs may carry an API key in the query; keep only origin and path in messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "<invalid url>";
  }
}

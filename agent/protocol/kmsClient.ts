import { AgentError } from "../errors";
import { decodeChallenge, decodeErrorBody, decodeKeyResponse, type Challenge, type KeyRequestBody, type KeyResponse } from "./wire";

/**
 * HTTP calls to the KMS (docs/protocol.md §1 and §3), and the one place that sorts its answers:
 * - no answer (refused, reset, DNS, timeout): `KMS_UNREACHABLE`, transient;
 * - 408, 429 and 5xx (503 `POLICY_UNAVAILABLE`, `COLLATERAL_UNAVAILABLE`, `LOG_APPEND_FAILED`):
 *   `KMS_UNAVAILABLE`, transient;
 * - any other non-2xx: `KMS_REFUSED` with the KMS's `errorCode` and, when it sent one, its
 *   `reason`; final: a policy refusal does not change by asking again, and asking again would
 *   only fill the KMS's refusal table.
 */
export interface KmsClient {
  getChallenge(): Promise<Challenge>;
  requestKey(body: KeyRequestBody): Promise<KeyResponse>;
}

export interface KmsClientOptions {
  kmsUrl: string;
  fetch?: typeof fetch;
  /** Per request; covers connect, the KMS's checks and the body. */
  timeoutMs?: number;
}

export const DEFAULT_KMS_TIMEOUT_MS = 30_000;
/** A key response is a few kilobytes; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 1 << 20;

export function createKmsClient(options: KmsClientOptions): KmsClient {
  const base = kmsBaseUrl(options.kmsUrl);
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_KMS_TIMEOUT_MS;
  const call = async (path: string, init: RequestInit): Promise<unknown> => {
    const url = new URL(path, base);
    let response: Response;
    try {
      response = await doFetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new AgentError("KMS_UNREACHABLE", `KMS ${url.origin} did not answer: ${describeFetchError(error)}`, { cause: error });
    }
    const text = await readBody(response, url);
    const body = parseJson(text);
    if (response.status >= 200 && response.status < 300) {
      if (body === undefined) throw new AgentError("KMS_RESPONSE_INVALID", `KMS answered ${url.pathname} with a body that is not JSON`);
      return body;
    }
    throw statusError(response, url, body);
  };
  return {
    getChallenge: async () => decodeChallenge(await call("v1/challenge", { method: "GET", headers: { accept: "application/json" } })),
    requestKey: async (requestBody) =>
      decodeKeyResponse(
        await call("v1/keys", {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json" },
          body: JSON.stringify(requestBody),
        }),
      ),
  };
}

/** The KMS base URL with a trailing slash, so `v1/...` resolves under any path prefix. */
export function kmsBaseUrl(kmsUrl: string): URL {
  let url: URL;
  try {
    url = new URL(kmsUrl);
  } catch (error) {
    throw new AgentError("INPUT_INVALID", `KMS URL ${JSON.stringify(kmsUrl)} is not a URL`, { cause: error });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AgentError("INPUT_INVALID", `KMS URL must be http(s), got ${url.protocol}`);
  }
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  url.search = "";
  url.hash = "";
  return url;
}

function statusError(response: Response, url: URL, body: unknown): AgentError {
  const kmsError = decodeErrorBody(body);
  const status = response.status;
  const what = kmsError ? `${status} ${kmsError.errorCode}${kmsError.message ? `: ${kmsError.message}` : ""}` : `HTTP ${status}`;
  const details = {
    httpStatus: status,
    ...(kmsError ? { kmsErrorCode: kmsError.errorCode } : {}),
    ...(kmsError?.reason === undefined ? {} : { kmsReason: kmsError.reason }),
  };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = retryAfter(response.headers.get("retry-after"));
    return new AgentError("KMS_UNAVAILABLE", `KMS ${url.pathname} is unavailable (${what})`, {
      ...details,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status >= 400) return new AgentError("KMS_REFUSED", `KMS refused ${url.pathname} (${what})`, details);
  return new AgentError("KMS_RESPONSE_INVALID", `KMS answered ${url.pathname} with ${what}`, details);
}

/** Retry-After in seconds (the HTTP-date form is not used by the KMS and is ignored). */
function retryAfter(header: string | null): number | undefined {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

async function readBody(response: Response, url: URL): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw new AgentError("KMS_RESPONSE_INVALID", `KMS answered ${url.pathname} with ${declared} bytes, more than ${MAX_RESPONSE_BYTES}`);
  }
  try {
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES) throw new AgentError("KMS_RESPONSE_INVALID", `KMS answer to ${url.pathname} is too large`);
    return text;
  } catch (error) {
    if (error instanceof AgentError) throw error;
    throw new AgentError("KMS_UNREACHABLE", `KMS ${url.origin} dropped the answer to ${url.pathname}`, { cause: error });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = cause && typeof cause === "object" && "code" in cause ? String((cause as { code: unknown }).code) : undefined;
  if (error.name === "TimeoutError") return "timed out";
  return code ? `${error.message} (${code})` : error.message;
}

import { DemoError } from "./demoError";

/**
 * Polls `probe` until it returns a value (not undefined), or fails with DEMO_TIMEOUT naming
 * `what`. The demo waits only for things the stack does by itself (a poller seeing a new
 * block, an anchor transaction, the indexer's next sync), never for a fixed time.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let lastError: unknown;
  for (;;) {
    if (options.signal?.aborted) throw new DemoError("DEMO_INTERRUPTED", `interrupted while waiting for ${what}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new DemoError("DEMO_TIMEOUT", `timed out waiting for ${what}${cause}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

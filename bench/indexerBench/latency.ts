import http from "node:http";

/**
 * Request latency over HTTP, one keep-alive connection, one request at a time: what one client
 * sees, without queueing behind its own other requests.
 */
export interface LatencySummary {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

export async function measureLatency(baseUrl: string, paths: readonly string[], warmup: number): Promise<LatencySummary> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const request = http.get(`${baseUrl}${path}`, { agent }, (response) => {
        response.resume();
        response.on("end", () => {
          if (response.statusCode !== 200) reject(new Error(`${path} answered ${response.statusCode}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      });
      request.on("error", reject);
    });
  for (let index = 0; index < warmup; index += 1) await get(paths[index % paths.length]!);
  const samples: number[] = [];
  for (const path of paths) samples.push(await get(path));
  agent.destroy();
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    requests: samples.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1]!,
    meanMs: samples.reduce((sum, sample) => sum + sample, 0) / samples.length,
  };
}

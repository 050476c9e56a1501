/**
 * Reads a `.cpuprofile` that `node --cpu-prof` wrote for the KMS process under `bench:kms`
 * and says where its main thread spent the load window.
 */
import fs from "node:fs";
import path from "node:path";

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The npm package or project file a frame belongs to; undefined for node internals. */
function ownerOf(url: string): string | undefined {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1];
  const file = url.startsWith("file://") ? url.slice(7) : url;
  const root = path.resolve(__dirname, "..");
  return file.startsWith(root) ? path.relative(root, file) : undefined;
}

/**
 * The KMS's main-thread CPU during the load window (monotonic microseconds, the clock V8's
 * profiler and process.hrtime share), each sample charged to the nearest package or project
 * file on its stack, so node's crypto internals count against whoever called them.
 */
export function summarizeCpuProfile(file: string, window: { start: number; end: number }, top = 16): string {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const charged = new Map<string, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    at += micros;
    if (at < window.start || at > window.end) return;
    total += micros;
    const leaf = nodes.get(id)?.callFrame;
    let owner = leaf && !leaf.url && leaf.functionName.startsWith("(") ? leaf.functionName : undefined;
    for (let frame: number | undefined = id; frame !== undefined && owner === undefined; frame = parents.get(frame)) {
      owner = ownerOf(nodes.get(frame)?.callFrame.url ?? "");
    }
    const key = owner ?? "node internals";
    charged.set(key, (charged.get(key) ?? 0) + micros);
  });
  if (total === 0) return "no profile samples fall in the load window";
  const rows = [...charged].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `KMS main thread during the load (${(total / 1e6).toFixed(1)} s sampled), by nearest package or file on the stack:`,
    ...rows.map(([key, micros]) => `  ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}`),
  ].join("\n");
}

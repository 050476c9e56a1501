/**
 * Reads the `.cpuprofile` files that `node --cpu-prof` wrote for the KMS process under
 * `bench:kms` (one per thread: the main thread and each release worker) and says where each
 * thread spent the load window.
 */
import fs from "node:fs";
import path from "node:path";

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
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

function frameName(frame: { functionName: string; url: string }): string {
  const where = ownerOf(frame.url) ?? frame.url.replace(/^node:/, "");
  return `${frame.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
}

interface WindowedSamples {
  profile: CpuProfile;
  nodes: Map<number, CpuProfile["nodes"][number]>;
  parents: Map<number, number>;
  /** [node id, microseconds] of each sample inside the window. */
  samples: Array<[number, number]>;
  total: number;
}

function samplesIn(file: string, window: { start: number; end: number }): WindowedSamples {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const samples: Array<[number, number]> = [];
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    at += micros;
    if (at < window.start || at > window.end) return;
    samples.push([id, micros]);
    total += micros;
  });
  return { profile, nodes, parents, samples, total };
}

const percent = (micros: number, total: number) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;

/**
 * One thread's CPU during the load window (monotonic microseconds, the clock V8's profiler
 * and process.hrtime share): each sample charged to the nearest package or project file on
 * its stack, so node's crypto internals count against whoever called them; then the
 * functions with the most inclusive time (a sample counts once for every distinct function
 * on its stack), which shows what a call costs with everything beneath it; then self time.
 * Samples are wall time on the thread: a thread the OS preempted still collects them.
 */
export function summarizeCpuProfile(file: string, window: { start: number; end: number }, top = 16, label = "KMS main thread"): string {
  const { nodes, parents, samples, total } = samplesIn(file, window);
  if (total === 0) return `${label}: no profile samples fall in the load window`;
  const charged = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  for (const [id, micros] of samples) {
    const leaf = nodes.get(id)?.callFrame;
    if (leaf) self.set(frameName(leaf), (self.get(frameName(leaf)) ?? 0) + micros);
    let owner = leaf && !leaf.url && leaf.functionName.startsWith("(") ? leaf.functionName : undefined;
    for (let frame: number | undefined = id; frame !== undefined && owner === undefined; frame = parents.get(frame)) {
      owner = ownerOf(nodes.get(frame)?.callFrame.url ?? "");
    }
    const key = owner ?? "node internals";
    charged.set(key, (charged.get(key) ?? 0) + micros);
    const seen = new Set<string>();
    for (let frame: number | undefined = id; frame !== undefined; frame = parents.get(frame)) {
      const callFrame = nodes.get(frame)?.callFrame;
      if (!callFrame || callFrame.functionName === "(root)") continue;
      const name = frameName(callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  }
  const rows = [...charged].sort((a, b) => b[1] - a[1]).slice(0, top);
  const calls = [...inclusive].filter(([name]) => name !== "(idle)" && name !== "(program)").sort((a, b) => b[1] - a[1]).slice(0, top);
  const leaves = [...self].filter(([name]) => name !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, top);
  return [
    `${label} during the load (${(total / 1e6).toFixed(1)} s sampled), by nearest package or file on the stack:`,
    ...rows.map(([key, micros]) => `  ${percent(micros, total)}  ${key}`),
    `${label}, functions by inclusive time:`,
    ...calls.map(([key, micros]) => `  ${percent(micros, total)}  ${key}`),
    `${label}, functions by self time:`,
    ...leaves.map(([key, micros]) => `  ${percent(micros, total)}  ${key}`),
  ].join("\n");
}

/** Every thread's profile in `directory`: the main thread first (node numbers it 0), then each worker. */
export function summarizeCpuProfiles(directory: string, window: { start: number; end: number }, top = 16): string {
  const files = fs
    .readdirSync(directory)
    .filter((file) => file.endsWith(".cpuprofile"))
    .map((file) => ({ file, thread: Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1] ?? 0) }))
    .sort((a, b) => a.thread - b.thread);
  if (files.length === 0) return "no CPU profile written";
  return files
    .map(({ file, thread }) => summarizeCpuProfile(path.join(directory, file), window, thread === 0 ? top : Math.ceil(top / 2), thread === 0 ? "KMS main thread" : `KMS thread ${thread} (release worker)`))
    .join("\n\n");
}

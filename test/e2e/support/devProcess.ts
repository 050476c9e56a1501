/**
 * `basekms dev --json` as a child process, exactly what `npm start` runs (with free ports and a
 * temporary data directory): it prints one JSON summary on stdout once the stack is up and the
 * demo has run; the narrated transcript goes to stderr and is kept for failure messages.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { ReadySummary } from "../../../cli/dev/readyReport";
import { type ProcessExit, readJsonSummary } from "./kmsProcess";

const PROJECT_ROOT = path.resolve(__dirname, "../../..");
const CLI = path.join(PROJECT_ROOT, "bin/basekms.js");

/** What `basekms dev --json` prints when ready. */
export type DevSummary = ReadySummary;

export interface DevProcess {
  summary: DevSummary;
  child: ChildProcess;
  exited: Promise<ProcessExit>;
  /** The transcript so far. */
  stderr(): string;
  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<ProcessExit & { killed: boolean }>;
}

export async function startDevProcess(options: { dataDir: string; args?: string[]; readyTimeoutMs?: number }): Promise<DevProcess> {
  const args = ["dev", "--json", "--rpc-port", "0", "--kms-port", "0", "--indexer-port", "0", "--api-port", "0", "--data-dir", options.dataDir, ...(options.args ?? [])];
  const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  let transcript = "";
  child.stderr?.on("data", (chunk: Buffer) => (transcript += chunk.toString("utf8")));
  const exited = new Promise<ProcessExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const summary = await readJsonSummary<DevSummary>(child, exited, {
    timeoutMs: options.readyTimeoutMs ?? 45_000,
    onTimeout: () => {
      // SIGTERM first: the dev process then stops its Hardhat node; SIGKILL would orphan it.
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    },
    failure: (why, exit) =>
      why === "timeout"
        ? `basekms dev printed no summary in time:\n${transcript}`
        : `basekms dev exited (${exit?.code ?? exit?.signal}) before it was ready:\n${transcript}`,
  });
  return {
    summary,
    child,
    exited,
    stderr: () => transcript,
    stop: async (signal, timeoutMs = 15_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return { ...exit, killed };
    },
  };
}

/** Direct children of `pid` (Linux /proc), to check that stopping leaves no orphan behind. */
export function childPidsOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command line of `pid`, for failure messages. */
export function commandLineOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "(gone)";
  }
}

/**
 * Waits up to `timeoutMs` for `pid` to end. A child may outlive its parent by a moment: tsx's
 * esbuild service ends when it reads end-of-file on the stdin its parent held.
 */
export async function ended(pid: number, timeoutMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** True when nothing accepts connections at `url` any more. */
export async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch {
    return true;
  }
}

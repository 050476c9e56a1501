/**
 * The real KMS as a child process: `node bin/basekms.js kms serve --json ...`, exactly what an
 * operator runs. The start-up summary (one JSON object on stdout) gives the URL and the
 * identity; pino logs go to stderr and are kept for failure messages.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const PROJECT_ROOT = path.resolve(__dirname, "../../..");
const CLI = path.join(PROJECT_ROOT, "bin/basekms.js");

/** What `basekms kms serve --json` prints once it listens. */
export interface KmsSummary {
  url: string;
  network: string;
  chainId: number;
  kms: `0x${string}`;
  measurement: string;
  quoteSha256: string;
  logSize: number;
  pccsUrl: string;
}

export interface KmsProcessOptions {
  rpcUrl: string;
  deploymentFile: string;
  dataDir: string;
  /** Extra `kms serve` flags, e.g. `["--anchor-every", "5"]`. */
  flags?: string[];
  env?: Record<string, string>;
  /** How long to wait for the summary (default 30 s). */
  readyTimeoutMs?: number;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface KmsProcess {
  summary: KmsSummary;
  url: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<ProcessExit>;
  /** The last part of stderr (pino JSON lines). */
  stderr(): string;
  /** SIGKILL: no shutdown hooks, no flush; what a crash looks like to SQLite. */
  kill9(): Promise<ProcessExit>;
  /** SIGTERM and wait (SIGKILL after 5 s). */
  stop(): Promise<ProcessExit>;
}

export function kmsServeArguments(options: Pick<KmsProcessOptions, "rpcUrl" | "deploymentFile" | "dataDir" | "flags">): string[] {
  return [
    "kms",
    "serve",
    "--json",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--rpc",
    options.rpcUrl,
    "--deployment",
    options.deploymentFile,
    "--data-dir",
    options.dataDir,
    "--confirmations",
    "1",
    ...(options.flags ?? []),
  ];
}

function spawnCli(args: string[], env: Record<string, string> | undefined, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, CLI, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, BASEKMS_LOG_LEVEL: "warn", FORCE_COLOR: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function collectTail(child: ChildProcess): () => string {
  let text = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-8_000);
  });
  return () => text;
}

function exitOf(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/**
 * The one JSON document a CLI process pretty-prints on stdout once it is ready (it may arrive
 * in several chunks). Rejects with `failure(...)` if it does not come within `timeoutMs`
 * (after `onTimeout`, which stops the process) or if the process exits first.
 */
export function readJsonSummary<T>(
  child: ChildProcess,
  exited: Promise<ProcessExit>,
  options: { timeoutMs: number; onTimeout: () => void; failure: (why: "timeout" | "exit", exit?: ProcessExit) => string },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      options.onTimeout();
      reject(new Error(options.failure("timeout")));
    }, options.timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      try {
        const parsed = JSON.parse(stdout) as T;
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        // The summary is pretty-printed over several chunks; wait for the rest.
      }
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(options.failure("exit", exit)));
    });
  });
}

/** Starts `basekms kms serve` and resolves once its summary is printed; rejects (and kills it) if it exits first. */
export async function startKmsProcess(options: KmsProcessOptions): Promise<KmsProcess> {
  const child = spawnCli(kmsServeArguments(options), options.env, options.nodeFlags);
  const stderr = collectTail(child);
  const exited = exitOf(child);
  const summary = await readJsonSummary<KmsSummary>(child, exited, {
    timeoutMs: options.readyTimeoutMs ?? 30_000,
    onTimeout: () => child.kill("SIGKILL"),
    failure: (why, exit) =>
      why === "timeout" ? `kms serve printed no summary in time:\n${stderr()}` : `kms serve exited (${exit?.code ?? exit?.signal}) before it listened:\n${stderr()}`,
  });
  const signalAndWait = async (signal: NodeJS.Signals): Promise<ProcessExit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  };
  return {
    summary,
    url: summary.url,
    pid: child.pid as number,
    child,
    exited,
    stderr,
    kill9: () => signalAndWait("SIGKILL"),
    stop: () => signalAndWait("SIGTERM"),
  };
}

export interface CliRun extends ProcessExit {
  stdout: string;
  stderr: string;
}

/** Runs one `basekms` command to its end (for start-up refusals and the agent CLI). */
export async function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  const child = spawnCli(args, options.env);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  const exit = await exitOf(child);
  clearTimeout(timer);
  return { ...exit, stdout, stderr };
}

import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

/**
 * Starts a real Hardhat JSON-RPC node on loopback (`hardhat node --hostname 127.0.0.1`).
 * Used by `basekms dev`, the service tests and the benchmarks: one launcher, so every
 * caller gets the same flags (loopback only, telemetry off).
 */
export interface HardhatNode {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartHardhatNodeOptions {
  port?: number;
  /** Project root holding hardhat.config.ts. */
  cwd?: string;
  /** Milliseconds to wait for the RPC to answer. */
  readyTimeoutMs?: number;
  /** Forward the node's output (for `basekms dev --verbose`). */
  onOutput?: (line: string) => void;
}

const PROJECT_ROOT = path.resolve(__dirname, "../..");

export async function startHardhatNode(options: StartHardhatNodeOptions = {}): Promise<HardhatNode> {
  const port = options.port ?? 8545;
  const cwd = options.cwd ?? PROJECT_ROOT;
  const hardhatCli = require.resolve("hardhat/internal/cli/bootstrap.js", { paths: [cwd] });
  const child = spawn(process.execPath, [hardhatCli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString("utf8");
    if (output.length < 64_000) output += text;
    if (options.onOutput) for (const line of text.split("\n")) if (line.trim()) options.onOutput(line);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`hardhat node exited with code ${child.exitCode} before it was ready:\n${output.slice(-2000)}`);
    }
    // Our node's own "Started HTTP ... server" line first: an RPC answering on the port could be
    // another node already there (ours then fails with EADDRINUSE and exits).
    if (STARTED.test(output) && (await rpcAnswers(url))) return { url, port, process: child, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`hardhat node did not answer on ${url} in time:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const STARTED = /Started HTTP and WebSocket JSON-RPC server at/;

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** Asks the OS for a free loopback port (for tests that run several nodes). */
export async function freeLoopbackPort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

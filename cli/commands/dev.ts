import path from "node:path";
import type { Command } from "commander";
import { parseIntegerSetting } from "../../core/config/env";
import { describeError, EXIT_FAILED, jsonReplacer } from "../output";
import { prepareDevDataDir } from "../dev/dataDir";
import { DemoError } from "../dev/demo/demoError";
import type { DemoResult } from "../dev/demo/demoResult";
import { runDemo } from "../dev/demo/runDemo";
import { createNarrator, displayPath, seconds } from "../dev/narrator";
import { writeMaintainersEnv } from "../dev/nextSteps";
import { checkDevPorts } from "../dev/ports";
import { readySummary, renderReady } from "../dev/readyReport";
import { DevStackAborted, startDevStack, type DevStack } from "../dev/startDevStack";

interface DevOptions {
  rpcPort: string;
  kmsPort: string;
  indexerPort: string;
  apiPort: string;
  dataDir: string;
  demo: boolean;
  exitAfterDemo?: boolean;
  json?: boolean;
}

/**
 * `basekms dev` (what `npm start` runs): the whole stack on 127.0.0.1 (docs/demo.md), then the
 * demo, then it stays up, printing the URLs and what to try next, until Ctrl-C (SIGINT or
 * SIGTERM) stops everything and it exits 0. Ready time is measured from process start.
 * Exit 1 when the stack cannot start or the demo's outcome differs from what it checks.
 */
export function registerDevCommand(program: Command): void {
  program
    .command("dev")
    .description("Run the whole local stack on loopback (Hardhat node, contracts, sandbox KMS, indexer, toy social API), run the demo, and stay up until Ctrl-C")
    .option("--rpc-port <port>", "port of the local Hardhat node (0: any free port)", "8545")
    .option("--kms-port <port>", "port of the sandbox KMS (0: any free port)", "8700")
    .option("--indexer-port <port>", "port of the indexer and its web page (0: any free port)", "8547")
    .option("--api-port <port>", "port of the toy social-network API (0: any free port)", "8780")
    .option("--data-dir <dir>", "where the stack keeps its files; emptied at start (only if basekms dev made it)", ".data/dev")
    .option("--no-demo", "start the stack only")
    .option("--exit-after-demo", "stop everything once the demo has run (exit 0 when every outcome was as expected)")
    .option("--json", "print one JSON object when ready (URLs, timings, the demo's result); the transcript goes to stderr")
    .action(async (options: DevOptions) => {
      await runDev(options);
    });
}

const portOf = (flag: string, raw: string) => parseIntegerSetting(flag, raw, { min: 0, max: 65535 });

async function runDev(options: DevOptions): Promise<void> {
  const write = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  const narrate = createNarrator(write);
  const interrupted = new AbortController();
  const shutdown = shutdownSignal(interrupted);
  let stack: DevStack | undefined;
  try {
    const ports = await checkDevPorts(
      { rpc: portOf("--rpc-port", options.rpcPort), kms: portOf("--kms-port", options.kmsPort), indexer: portOf("--indexer-port", options.indexerPort), socialApi: portOf("--api-port", options.apiPort) },
      { rpc: "--rpc-port", kms: "--kms-port", indexer: "--indexer-port", socialApi: "--api-port" },
    );
    const layout = prepareDevDataDir(path.resolve(options.dataDir));
    write(`basekms dev: the whole stack on 127.0.0.1, no external services  (data: ${displayPath(layout.root)}, logs: ${displayPath(layout.logs)})`);
    narrate.heading("The stack");
    stack = await startDevStack({ ports, layout, narrate, signal: interrupted.signal });
    const stackReadyMs = performance.now();
    narrate.line(`  stack up ${seconds(stackReadyMs)} after start`);

    let demo: DemoResult | undefined;
    let demoFailure: string | undefined;
    if (options.demo) {
      try {
        demo = await runDemo(stack, { narrate, signal: interrupted.signal });
      } catch (error) {
        if (interrupted.signal.aborted || !(error instanceof DemoError)) throw error;
        demoFailure = `${error.code}: ${error.message}`;
        narrate.line(`\nDEMO FAILED: ${demoFailure}`);
      }
    }
    writeMaintainersEnv(stack.layout.maintainersEnv);
    const facts = { stack, demo, demoFailure, stackReadyMs, readyMs: performance.now(), exitAfterDemo: options.exitAfterDemo === true };
    const summary = readySummary(facts);
    for (const line of renderReady(facts, summary)) narrate.line(line);
    if (options.json) process.stdout.write(`${JSON.stringify(summary, jsonReplacer, 2)}\n`);
    if (!options.exitAfterDemo) await shutdown.received;
    if (demoFailure) process.exitCode = EXIT_FAILED;
  } catch (error) {
    if (!interrupted.signal.aborted) throw error;
    if (!(error instanceof DevStackAborted || error instanceof DemoError)) narrate.line(`(start-up ended by the interruption: ${describeError(error).message})`);
  } finally {
    if (interrupted.signal.aborted || options.exitAfterDemo) narrate.line("stopping ...");
    await stack?.stop();
    shutdown.dispose();
    if (interrupted.signal.aborted || options.exitAfterDemo) narrate.line("stopped: the Hardhat node, the KMS, the indexer and the toy API are down.");
  }
}

/** SIGINT/SIGTERM abort the start-up or end the wait; a second one while stopping forces the exit. */
function shutdownSignal(controller: AbortController): { received: Promise<void>; dispose(): void } {
  let resolve: () => void = () => undefined;
  const received = new Promise<void>((done) => (resolve = done));
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`second ${signal}: exiting without waiting for a clean stop\n`);
      process.exit(130);
    }
    controller.abort();
    resolve();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    received,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

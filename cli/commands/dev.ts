import path from "node:path";
import type { Command } from "commander";
import { parseIntegerSetting } from "../../core/config/env";
import { printResult, table } from "../output";
import { startDevStack } from "../dev/startDevStack";

export function registerDevCommand(program: Command): void {
  program
    .command("dev")
    .description("Run the whole local stack on loopback (Hardhat node + contracts) until Ctrl-C")
    .option("--rpc-port <port>", "port of the local Hardhat node", "8545")
    .option("--data-dir <dir>", "where the local stack keeps its files", ".data/dev")
    .option("--json", "print the stack description as JSON")
    .action(async (options: { rpcPort: string; dataDir: string; json?: boolean }) => {
      const log = (line: string): void => {
        if (!options.json) process.stderr.write(`${line}\n`);
      };
      const stack = await startDevStack({
        rpcPort: parseIntegerSetting("--rpc-port", options.rpcPort, { min: 1, max: 65535 }),
        dataDir: path.resolve(options.dataDir),
        log,
      });
      const summary = {
        chainId: stack.chainId,
        rpcUrl: stack.rpcUrl,
        deploymentFile: stack.deploymentFile,
        contracts: {
          AppRegistry: stack.deployment.contracts.AppRegistry.address,
          PlatformPolicy: stack.deployment.contracts.PlatformPolicy.address,
        },
      };
      printResult(options, summary, () =>
        [
          "basekms local stack is up (loopback only)",
          table([
            ["chain id", String(summary.chainId)],
            ["rpc", summary.rpcUrl],
            ["AppRegistry", summary.contracts.AppRegistry],
            ["PlatformPolicy", summary.contracts.PlatformPolicy],
            ["deployment", summary.deploymentFile],
          ]),
          "Press Ctrl-C to stop.",
        ].join("\n"),
      );
      await waitForShutdownSignal();
      log("stopping ...");
      await stack.stop();
      log("stopped.");
    });
}

function waitForShutdownSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
}

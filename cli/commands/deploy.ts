import type { Command } from "commander";
import { loadDeployConfig } from "../../core/chain/deployConfig";
import { deployFromConfig } from "../../core/chain/deployFromConfig";
import { printResult, table } from "../output";

export function registerDeployCommand(program: Command): void {
  program
    .command("deploy")
    .description(
      "Deploy AppRegistry and PlatformPolicy and write deployments/<chainId>.json. " +
        "Settings come from the environment: BASEKMS_RPC_URL, BASEKMS_DEPLOYER_KEY, BASEKMS_GOVERNANCE, " +
        "BASEKMS_CONFIRMATIONS, BASEKMS_DEPLOYMENTS_DIR (keys are never taken from argv)",
    )
    .option("--json", "print the deployment as JSON")
    .action(async (options: { json?: boolean }) => {
      const { file, deployment } = await deployFromConfig(loadDeployConfig(process.env));
      printResult(options, { file, ...deployment }, () =>
        table([
          ["chain id", String(deployment.chainId)],
          ["AppRegistry", `${deployment.contracts.AppRegistry.address} (block ${deployment.contracts.AppRegistry.blockNumber})`],
          ["PlatformPolicy", `${deployment.contracts.PlatformPolicy.address} (block ${deployment.contracts.PlatformPolicy.blockNumber})`],
          ["governance", deployment.governance],
          ["written", file],
        ]),
      );
    });
}

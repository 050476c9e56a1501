/**
 * Deploys AppRegistry and PlatformPolicy to any JSON-RPC endpoint and writes
 * deployments/<chainId>.json. Local node by default; Base Sepolia or Base with
 * BASEKMS_RPC_URL and BASEKMS_DEPLOYER_KEY in the environment (see core/chain/deployConfig.ts).
 *
 *   npm run deploy
 *   BASEKMS_RPC_URL=https://sepolia.base.org BASEKMS_DEPLOYER_KEY=... npm run deploy
 */
import { deployFromConfig } from "../core/chain/deployFromConfig";
import { loadDeployConfig } from "../core/chain/deployConfig";

deployFromConfig(loadDeployConfig(process.env))
  .then(({ file, deployment }) => {
    process.stdout.write(`chain ${deployment.chainId}\n`);
    process.stdout.write(`AppRegistry     ${deployment.contracts.AppRegistry.address} (block ${deployment.contracts.AppRegistry.blockNumber})\n`);
    process.stdout.write(`PlatformPolicy  ${deployment.contracts.PlatformPolicy.address} (block ${deployment.contracts.PlatformPolicy.blockNumber})\n`);
    process.stdout.write(`wrote ${file}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`deploy failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });

import { connectPublicClient, walletClientFor } from "./clients";
import { deployBasekms } from "./deploy";
import { deployerAccount, type DeployConfig } from "./deployConfig";
import { writeDeployment, type Deployment } from "./deployment";

/** Connects, deploys and writes the deployment file: shared by scripts/deploy.ts, `basekms deploy` and `basekms dev`. */
export async function deployFromConfig(config: DeployConfig): Promise<{ file: string; deployment: Deployment }> {
  const publicClient = await connectPublicClient(config.rpcUrl);
  const chainId = await publicClient.getChainId();
  const account = deployerAccount(config, chainId);
  const walletClient = Object.assign(walletClientFor(publicClient, account, config.rpcUrl), { account });
  const deployment = await deployBasekms({
    publicClient,
    walletClient,
    governance: config.governance,
    confirmations: config.confirmations,
  });
  const file = writeDeployment(config.deploymentsDir, deployment);
  return { file, deployment };
}

import type { Account, Address, Hash, PublicClient, WalletClient } from "viem";
import { appRegistryAbi, appRegistryBytecode } from "../contracts/generated/AppRegistry";
import { platformPolicyAbi, platformPolicyBytecode } from "../contracts/generated/PlatformPolicy";
import type { DeployedContractInfo, Deployment } from "./deployment";

export interface DeployBasekmsParameters {
  publicClient: PublicClient;
  walletClient: WalletClient & { account: Account };
  /** Governance of PlatformPolicy; the deployer when omitted. Hand it to a Safe or timelock later. */
  governance?: Address;
  /** Confirmations to wait for each deployment (1 on a local node). */
  confirmations?: number;
}

/** Deploys AppRegistry and PlatformPolicy and returns the deployment record. */
export async function deployBasekms(parameters: DeployBasekmsParameters): Promise<Deployment> {
  const { publicClient, walletClient } = parameters;
  const deployer = walletClient.account.address;
  const governance = parameters.governance ?? deployer;
  const confirmations = parameters.confirmations ?? 1;
  const chain = walletClient.chain ?? null;

  const appRegistryTx = await walletClient.deployContract({
    abi: appRegistryAbi,
    bytecode: appRegistryBytecode,
    account: walletClient.account,
    chain,
  });
  const appRegistry = await confirmDeployment(publicClient, appRegistryTx, confirmations);

  const platformPolicyTx = await walletClient.deployContract({
    abi: platformPolicyAbi,
    bytecode: platformPolicyBytecode,
    args: [governance],
    account: walletClient.account,
    chain,
  });
  const platformPolicy = await confirmDeployment(publicClient, platformPolicyTx, confirmations);

  return {
    chainId: await publicClient.getChainId(),
    deployer,
    governance,
    deployedAt: new Date().toISOString(),
    contracts: { AppRegistry: appRegistry, PlatformPolicy: platformPolicy },
  };
}

async function confirmDeployment(publicClient: PublicClient, hash: Hash, confirmations: number): Promise<DeployedContractInfo> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash, confirmations });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new Error(`deployment transaction ${hash} failed`);
  }
  return {
    address: receipt.contractAddress,
    blockNumber: Number(receipt.blockNumber),
    blockHash: receipt.blockHash,
    transactionHash: hash,
  };
}

import { privateKeyToAccount } from "viem/accounts";
import type { Account } from "viem";
import { envInteger, envOptional, envString, parseAddressSetting, parsePrivateKeySetting, parseUrlSetting, type Env } from "../config/env";
import { UsageError } from "../errors";
import { HARDHAT_DEV_PRIVATE_KEY, LOCAL_CHAIN_ID } from "./clients";

/**
 * Deployment settings, from the environment only (keys never go in argv):
 * - BASEKMS_RPC_URL          JSON-RPC URL (default http://127.0.0.1:8545)
 * - BASEKMS_DEPLOYER_KEY     deployer private key; required for any chain but the local one
 * - BASEKMS_GOVERNANCE       PlatformPolicy governance (default: the deployer)
 * - BASEKMS_CONFIRMATIONS    confirmations per deployment (default 1)
 * - BASEKMS_DEPLOYMENTS_DIR  where <chainId>.json is written (default ./deployments)
 */
export interface DeployConfig {
  rpcUrl: string;
  deployerKey?: `0x${string}`;
  governance?: `0x${string}`;
  confirmations: number;
  deploymentsDir: string;
}

export function loadDeployConfig(env: Env): Readonly<DeployConfig> {
  const deployerKeyRaw = envOptional(env, "BASEKMS_DEPLOYER_KEY");
  const governanceRaw = envOptional(env, "BASEKMS_GOVERNANCE");
  return Object.freeze({
    rpcUrl: parseUrlSetting("BASEKMS_RPC_URL", envString(env, "BASEKMS_RPC_URL", "http://127.0.0.1:8545")),
    deployerKey: deployerKeyRaw === undefined ? undefined : parsePrivateKeySetting("BASEKMS_DEPLOYER_KEY", deployerKeyRaw),
    governance: governanceRaw === undefined ? undefined : parseAddressSetting("BASEKMS_GOVERNANCE", governanceRaw),
    confirmations: envInteger(env, "BASEKMS_CONFIRMATIONS", 1, { min: 1, max: 64 }),
    deploymentsDir: envString(env, "BASEKMS_DEPLOYMENTS_DIR", "deployments"),
  });
}

/** The deployer account: the configured key, or Hardhat's dev key on the local chain only. */
export function deployerAccount(config: DeployConfig, chainId: number): Account {
  if (config.deployerKey) return privateKeyToAccount(config.deployerKey);
  if (chainId === LOCAL_CHAIN_ID) return privateKeyToAccount(HARDHAT_DEV_PRIVATE_KEY);
  throw new UsageError("CONFIG_INVALID", `BASEKMS_DEPLOYER_KEY is required to deploy to chain ${chainId}`);
}

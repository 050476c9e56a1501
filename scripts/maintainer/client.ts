import path from "node:path";
import type { Account, Address, PublicClient, WalletClient } from "viem";
import { connectPublicClient, walletClientFor } from "../../core/chain/clients";
import { readDeployment, type Deployment } from "../../core/chain/deployment";
import { UsageError } from "../../core/errors";
import { MaintainerError } from "./errors";

/**
 * What every maintainer action takes first: a public client bound to the chain, and the
 * deployment that names the contracts on it. Writes take a `MaintainerWriter`, which adds the
 * account that signs and pays. Actions never read the environment or argv.
 */
export interface MaintainerClient {
  readonly publicClient: PublicClient;
  readonly deployment: Deployment;
  readonly chainId: number;
  readonly appRegistry: Address;
  readonly platformPolicy: Address;
  /** How often to poll for a receipt (ms). */
  readonly pollingIntervalMs: number;
}

export interface MaintainerWriter extends MaintainerClient {
  readonly walletClient: WalletClient;
  readonly account: Account;
}

export interface ConnectMaintainerParameters {
  rpcUrl: string;
  /** The deployment file; `deployments/<chainId>.json` under `deploymentsDir` when omitted. */
  deploymentFile?: string;
  deploymentsDir?: string;
  pollingIntervalMs?: number;
}

/**
 * Connects to the RPC, reads the deployment file and checks that it describes this chain and
 * that both contracts have code there (a stale file after a local node restart is the usual
 * mistake). Both refusals are config errors (`CONFIG_INVALID`).
 */
export async function connectMaintainerClient(parameters: ConnectMaintainerParameters): Promise<MaintainerClient> {
  let publicClient: PublicClient;
  try {
    publicClient = await connectPublicClient(parameters.rpcUrl);
  } catch (error) {
    throw new MaintainerError("RPC_FAILED", `cannot reach the RPC at ${parameters.rpcUrl}: ${shortMessage(error)}`, { cause: error });
  }
  const chainId = publicClient.chain?.id ?? (await publicClient.getChainId());
  const file = parameters.deploymentFile ?? path.join(parameters.deploymentsDir ?? "deployments", `${chainId}.json`);
  const deployment = readDeployment(file);
  if (deployment.chainId !== chainId) {
    throw new UsageError("CONFIG_INVALID", `deployment file ${file} is for chain ${deployment.chainId}, but the RPC serves chain ${chainId}`);
  }
  for (const name of ["AppRegistry", "PlatformPolicy"] as const) {
    const code = await publicClient.getCode({ address: deployment.contracts[name].address as Address });
    if (!code || code === "0x") {
      throw new UsageError("CONFIG_INVALID", `no ${name} contract at ${deployment.contracts[name].address} on chain ${chainId}: is ${file} stale?`);
    }
  }
  return maintainerClientOf(publicClient, deployment, parameters.pollingIntervalMs);
}

/** Builds the client from parts the caller already has (tests, `basekms dev`). */
export function maintainerClientOf(publicClient: PublicClient, deployment: Deployment, pollingIntervalMs = 500): MaintainerClient {
  return {
    publicClient,
    deployment,
    chainId: deployment.chainId,
    appRegistry: deployment.contracts.AppRegistry.address as Address,
    platformPolicy: deployment.contracts.PlatformPolicy.address as Address,
    pollingIntervalMs,
  };
}

/** Adds the account that signs and pays for writes. */
export function withAccount(client: MaintainerClient, account: Account, rpcUrl: string): MaintainerWriter {
  return { ...client, account, walletClient: walletClientFor(client.publicClient, account, rpcUrl) };
}

/** viem's one-line message, plus the node's own words (`details`) when it gave any. */
export function shortMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { shortMessage: short, details } = error as Error & { shortMessage?: unknown; details?: unknown };
  const head = typeof short === "string" ? short.split("\n")[0] ?? short : error.message;
  return typeof details === "string" && details !== "" && !head.includes(details) ? `${head} (${details})` : head;
}

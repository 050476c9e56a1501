/**
 * Puts the benchmark's history on a fresh local chain: BenchOperator registers the apps, approves
 * compose hashes in batches of hundreds per transaction (revoking some), and toggles platform
 * hashes, all through the deployed contracts.
 */
import { createPublicClient, createWalletClient, http, type Hex, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { chainFor, HARDHAT_DEV_PRIVATE_KEY } from "../../core/chain/clients";
import { deployBasekms } from "../../core/chain/deploy";
import type { Deployment } from "../../core/chain/deployment";
import { compileBenchOperator } from "./benchOperator";

export interface GenerateOptions {
  readonly rpcUrl: string;
  readonly apps: number;
  readonly approvalsPerApp: number;
  /** Revoke every n-th approval (0: none). */
  readonly revokeEvery: number;
  readonly platformToggles: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface GeneratedHistory {
  readonly deployment: Deployment;
  readonly appIds: Hex[];
  readonly expectedEvents: number;
}

/** Execution, not the transaction count, costs: a transaction stays under the 16.7M gas cap. */
const GAS_PER_TX = 16_000_000n;
const PLATFORMS_PER_TX = 500;
/** About 30,000 gas per approval: 480 approvals (plus their revocations) per transaction. */
const APPROVALS_PER_TX = 480;

export async function generateEvents(options: GenerateOptions): Promise<GeneratedHistory> {
  const chain = chainFor(31337, options.rpcUrl);
  const account = privateKeyToAccount(HARDHAT_DEV_PRIVATE_KEY);
  const client = createPublicClient({ chain, transport: http(options.rpcUrl, { retryCount: 0, timeout: 120_000 }), cacheTime: 0 }) as PublicClient;
  const wallet = createWalletClient({ chain, account, transport: http(options.rpcUrl, { retryCount: 0, timeout: 120_000 }) });
  await client.request({ method: "hardhat_setLoggingEnabled" as never, params: [false] as never });

  const operator = compileBenchOperator();
  const operatorTx = await wallet.deployContract({ abi: operator.abi, bytecode: operator.bytecode });
  const operatorAddress = (await client.waitForTransactionReceipt({ hash: operatorTx })).contractAddress!;
  const deployment = await deployBasekms({ publicClient: client, walletClient: wallet, governance: operatorAddress });
  const registry = deployment.contracts.AppRegistry.address as Hex;
  const policy = deployment.contracts.PlatformPolicy.address as Hex;
  const call = async (functionName: string, args: unknown[]) => {
    const hash = await wallet.writeContract({ address: operatorAddress, abi: operator.abi, functionName, args, gas: GAS_PER_TX } as never);
    const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 10 });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
    return receipt;
  };

  const appIds: Hex[] = [];
  for (let registered = 0; registered < options.apps; registered += 100) {
    const receipt = await call("registerApps", [registry, BigInt(Math.min(100, options.apps - registered)), 0n]);
    for (const log of receipt.logs) if (log.address.toLowerCase() === registry.toLowerCase()) appIds.push(log.topics[1]!.slice(0, 42) as Hex);
  }
  const total = options.apps + options.platformToggles;
  const appsPerTx = Math.max(1, Math.floor(APPROVALS_PER_TX / options.approvalsPerApp));
  for (let index = 0; index < appIds.length; index += appsPerTx) {
    const slice = appIds.slice(index, index + appsPerTx);
    await call("approveMany", [registry, slice, 1n, BigInt(options.approvalsPerApp), BigInt(options.revokeEvery)]);
    options.onProgress?.(index + slice.length, total);
  }
  for (let toggled = 0; toggled < options.platformToggles; toggled += PLATFORMS_PER_TX) {
    const count = Math.min(PLATFORMS_PER_TX, options.platformToggles - toggled);
    await call("setPlatforms", [policy, BigInt(toggled % 2_000), BigInt(count), (toggled / PLATFORMS_PER_TX) % 2 === 0]);
    options.onProgress?.(options.apps + toggled + count, total);
  }
  const revocations = options.revokeEvery > 0 ? Math.ceil(options.approvalsPerApp / options.revokeEvery) * options.apps : 0;
  // Constructor events: GovernanceTransferred and AllowedTcbStatusesChanged.
  const expectedEvents = 2 + options.apps + options.apps * options.approvalsPerApp + revocations + options.platformToggles;
  return { deployment, appIds, expectedEvents };
}

import { createPublicClient, http, type PublicClient } from "viem";
import { chainFor } from "../../chain/clients";
import type { Deployment } from "../../chain/deployment";
import { AuditError } from "../errors";
import { rpcUnavailable } from "./fetchPolicyHistory";

export interface ConnectOptions {
  readonly timeoutMs?: number;
}

/**
 * A public client for reading a deployment's chain: no silent retries, and the node's chain id
 * checked against the deployment file. No JSON-RPC batching: a batch shares one response body,
 * and a large `eth_getLogs` answer would then fail the small requests travelling with it.
 */
export async function connectChain(rpcUrl: string, deployment: Deployment, options: ConnectOptions = {}): Promise<PublicClient> {
  const transport = http(rpcUrl, { timeout: options.timeoutMs ?? 30_000, retryCount: 0 });
  const client = createPublicClient({ chain: chainFor(deployment.chainId, rpcUrl), transport }) as PublicClient;
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (error) {
    throw rpcUnavailable(`cannot reach the RPC at ${rpcUrl}`, error);
  }
  if (chainId !== deployment.chainId) {
    throw new AuditError("AUDIT_CHAIN_MISMATCH", `the RPC serves chain ${chainId}, the deployment is on chain ${deployment.chainId}`);
  }
  return client;
}

/** The latest block number. */
export async function latestBlockNumber(client: Pick<PublicClient, "getBlockNumber">): Promise<number> {
  try {
    return Number(await client.getBlockNumber({ cacheTime: 0 }));
  } catch (error) {
    throw rpcUnavailable("cannot read the latest block number", error);
  }
}

import { createPublicClient, createWalletClient, defineChain, http, type Account, type Chain, type PublicClient, type Transport, type WalletClient } from "viem";

/** Chain ids a sandbox KMS must never run against, and that deploys treat as production. */
export const PRODUCTION_CHAIN_IDS: ReadonlySet<number> = new Set([1, 8453]);
export const LOCAL_CHAIN_ID = 31337;

/**
 * Hardhat's first default account. Public knowledge, funded only on a local Hardhat
 * chain: used by `basekms dev` and tests, refused for any other chain id.
 */
export const HARDHAT_DEV_PRIVATE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;

export function chainFor(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: chainId === LOCAL_CHAIN_ID ? "hardhat" : `chain-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export function httpTransport(rpcUrl: string, timeoutMs = 10_000): Transport {
  return http(rpcUrl, { timeout: timeoutMs, retryCount: 0 });
}

/** Asks the node for its chain id, then builds a public client bound to that chain. */
export async function connectPublicClient(rpcUrl: string): Promise<PublicClient> {
  const probe = createPublicClient({ transport: httpTransport(rpcUrl) });
  const chainId = await probe.getChainId();
  return createPublicClient({ chain: chainFor(chainId, rpcUrl), transport: httpTransport(rpcUrl) }) as PublicClient;
}

export function walletClientFor(publicClient: PublicClient, account: Account, rpcUrl: string): WalletClient {
  const chain = publicClient.chain;
  if (!chain) throw new Error("public client has no chain");
  return createWalletClient({ account, chain, transport: httpTransport(rpcUrl) });
}

import { existsSync } from "node:fs";
import type { Address, PublicClient } from "viem";
import { PRODUCTION_CHAIN_IDS } from "../core/chain/clients";
import type { KmsConfig } from "./config";
import { KmsError } from "./errors";

/**
 * Refusals to start (DESIGN.md "Two networks"; issue 4):
 * - a sandbox KMS on a production chain id (Base 8453, Ethereum 1): it trusts a development
 *   CA whose keys are public, so anyone could mint quotes it accepts;
 * - a sealed KMS without a real TDX guest (`/dev/tdx_guest` and configfs-tsm);
 * - an RPC whose chain id differs from the deployment file's;
 * - a contract address with no code (`eth_getCode`): a KMS reading "false" from an empty
 *   address would refuse everything, or worse, read someone else's contract after a typo.
 */
export const TDX_GUEST_PATHS = ["/dev/tdx_guest", "/sys/kernel/config/tsm/report"] as const;

export function assertNotSandboxOnProduction(network: KmsConfig["network"], chainId: number): void {
  if (network === "sandbox" && PRODUCTION_CHAIN_IDS.has(chainId)) {
    throw new KmsError(
      "SANDBOX_ON_PRODUCTION_CHAIN",
      `a sandbox KMS trusts the development CA and refuses to serve production chain ${chainId}; use --network sealed inside a TD`,
    );
  }
}

export function assertRealTdx(network: KmsConfig["network"], exists: (path: string) => boolean = existsSync): void {
  if (network !== "sealed") return;
  const missing = TDX_GUEST_PATHS.filter((path) => !exists(path));
  if (missing.length > 0) {
    throw new KmsError("TDX_UNAVAILABLE", `a sealed KMS needs a real TDX guest, but ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} absent`);
  }
}

/** Checks that can run before any I/O. */
export function checkStaticConfig(config: Pick<KmsConfig, "network" | "chainId">, exists?: (path: string) => boolean): void {
  assertNotSandboxOnProduction(config.network, config.chainId);
  assertRealTdx(config.network, exists);
}

/** Checks against the chain: its id, and code at both contract addresses. */
export async function checkChain(client: PublicClient, config: Pick<KmsConfig, "network" | "chainId" | "deployment" | "rpcUrl">): Promise<void> {
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (cause) {
    throw new KmsError("RPC_UNREACHABLE", `cannot reach the RPC at ${config.rpcUrl}`, { cause });
  }
  assertNotSandboxOnProduction(config.network, chainId);
  if (chainId !== config.chainId) {
    throw new KmsError("CHAIN_ID_MISMATCH", `the RPC serves chain ${chainId} but the deployment file is for chain ${config.chainId}`);
  }
  for (const [name, info] of Object.entries(config.deployment.contracts)) {
    let code: string | undefined;
    try {
      code = await client.getCode({ address: info.address as Address });
    } catch (cause) {
      throw new KmsError("RPC_UNREACHABLE", `cannot read the code of ${name} at ${info.address}`, { cause });
    }
    if (!code || code === "0x") {
      throw new KmsError("CONTRACT_NOT_DEPLOYED", `${name} has no code at ${info.address} on chain ${chainId}; check the deployment file`);
    }
  }
}

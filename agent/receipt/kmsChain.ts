import { BaseError as ViemError, ContractFunctionRevertedError, ContractFunctionZeroDataError, type Address, type PublicClient } from "viem";
import { connectPublicClient } from "../../core/chain/clients";
import type { Deployment } from "../../core/chain/deployment";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { AgentError } from "../errors";

/**
 * What the agent needs from the chain to trust a receipt without trusting the KMS: the
 * chain id and contract addresses that scope the EIP-712 domain and the sealed key, and
 * `PlatformPolicy.isKmsIdentity`. It reads the chain through its own RPC URL, never through
 * the KMS, so a KMS cannot vouch for itself.
 */
export interface KmsChainView {
  chainId: number;
  appRegistry: Address;
  platformPolicy: Address;
  /** Throws `CHAIN_UNAVAILABLE` (transient) when the node does not answer. */
  isKmsIdentity(kms: Address): Promise<boolean>;
}

export interface ConnectKmsChainParameters {
  rpcUrl: string;
  deployment: Deployment;
}

/** Connects to `rpcUrl` and checks it serves the deployment's chain (`CHAIN_MISMATCH` otherwise). */
export async function connectKmsChain(parameters: ConnectKmsChainParameters): Promise<KmsChainView> {
  const { deployment } = parameters;
  let client: PublicClient;
  try {
    client = await connectPublicClient(parameters.rpcUrl);
  } catch (error) {
    throw new AgentError("CHAIN_UNAVAILABLE", `RPC ${parameters.rpcUrl} did not answer: ${shortMessage(error)}`, { cause: error });
  }
  const chainId = client.chain?.id;
  if (chainId !== deployment.chainId) {
    throw new AgentError("CHAIN_MISMATCH", `RPC serves chain ${chainId}, but the deployment file is for chain ${deployment.chainId}`);
  }
  return kmsChainView(client, deployment);
}

/** The view over an existing client (tests, or callers that built their own). */
export function kmsChainView(client: PublicClient, deployment: Deployment): KmsChainView {
  const platformPolicy = deployment.contracts.PlatformPolicy.address as Address;
  return {
    chainId: deployment.chainId,
    appRegistry: deployment.contracts.AppRegistry.address as Address,
    platformPolicy,
    async isKmsIdentity(kms) {
      try {
        return await client.readContract({ address: platformPolicy, abi: platformPolicyAbi, functionName: "isKmsIdentity", args: [kms] });
      } catch (error) {
        if (isContractProblem(error)) {
          throw new AgentError("CHAIN_MISMATCH", `PlatformPolicy at ${platformPolicy} did not answer isKmsIdentity: ${shortMessage(error)}`, {
            cause: error,
          });
        }
        throw new AgentError("CHAIN_UNAVAILABLE", `reading isKmsIdentity(${kms}) failed: ${shortMessage(error)}`, { cause: error });
      }
    },
  };
}

/** No contract at the address, or it reverted: asking again will not help. */
function isContractProblem(error: unknown): boolean {
  if (!(error instanceof ViemError)) return false;
  return Boolean(error.walk((inner) => inner instanceof ContractFunctionZeroDataError || inner instanceof ContractFunctionRevertedError));
}

function shortMessage(error: unknown): string {
  if (error instanceof ViemError) return error.shortMessage;
  return error instanceof Error ? error.message : String(error);
}

import { privateKeyToAccount } from "viem/accounts";
import type { Address, Hex, PublicClient } from "viem";
import { connectPublicClient, HARDHAT_DEV_PRIVATE_KEY, walletClientFor } from "../../../core/chain/clients";
import { deployBasekms } from "../../../core/chain/deploy";
import type { Deployment } from "../../../core/chain/deployment";
import { freeLoopbackPort, startHardhatNode, type HardhatNode } from "../../../core/chain/hardhatNode";
import { platformPolicyAbi } from "../../../core/contracts/generated/PlatformPolicy";
import { kmsChainView, type KmsChainView } from "../../../agent/receipt/kmsChain";

/**
 * A real Hardhat node on loopback with the basekms contracts deployed, and governance (the
 * Hardhat dev account) able to register KMS identities in PlatformPolicy.
 */
export interface AgentChain {
  node: HardhatNode;
  publicClient: PublicClient;
  deployment: Deployment;
  view: KmsChainView;
  /** Allows `measurement` and registers `kms` as an active KMS identity. */
  registerKms(kms: Address): Promise<void>;
  stop(): Promise<void>;
}

const KMS_MEASUREMENT: Hex = `0x${"4b".repeat(32)}`;
const KMS_QUOTE_HASH: Hex = `0x${"51".repeat(32)}`;

export async function startAgentChain(): Promise<AgentChain> {
  const node = await startHardhatNode({ port: await freeLoopbackPort() });
  try {
    const publicClient = await connectPublicClient(node.url);
    const walletClient = walletClientFor(publicClient, privateKeyToAccount(HARDHAT_DEV_PRIVATE_KEY), node.url);
    const account = privateKeyToAccount(HARDHAT_DEV_PRIVATE_KEY);
    const deployment = await deployBasekms({ publicClient, walletClient: walletClient as typeof walletClient & { account: typeof account } });
    const policy = deployment.contracts.PlatformPolicy.address as Address;
    const send = async (functionName: "setKmsMeasurementAllowed" | "registerKmsIdentity", args: readonly unknown[]): Promise<void> => {
      const hash = await walletClient.writeContract({
        address: policy,
        abi: platformPolicyAbi,
        functionName,
        args: args as never,
        account,
        chain: publicClient.chain,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
    };
    await send("setKmsMeasurementAllowed", [KMS_MEASUREMENT, true]);
    return {
      node,
      publicClient,
      deployment,
      view: kmsChainView(publicClient, deployment),
      registerKms: (kms) => send("registerKmsIdentity", [kms, KMS_QUOTE_HASH, KMS_MEASUREMENT]),
      stop: () => node.stop(),
    };
  } catch (error) {
    await node.stop();
    throw error;
  }
}

import type { Address, Hex } from "viem";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import type { MaintainerWriter } from "./client";
import { requireEvent, sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";

/** Registers a KMS identity bound to its quote hash and measurement (`PlatformPolicy.registerKmsIdentity`); governance only. */
export async function registerKmsIdentity(
  client: MaintainerWriter,
  parameters: { kms: Address; quoteHash: Hex; measurement: Hex },
): Promise<SentTransaction & { event: DecodedEvent }> {
  const sent = await sendContractWrite(client, {
    address: client.platformPolicy,
    abi: platformPolicyAbi,
    functionName: "registerKmsIdentity",
    args: [parameters.kms, parameters.quoteHash, parameters.measurement],
  });
  return { ...sent, event: requireEvent(sent, "KmsIdentityRegistered") };
}

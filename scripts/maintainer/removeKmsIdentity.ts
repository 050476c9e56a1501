import type { Address } from "viem";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import type { MaintainerWriter } from "./client";
import { requireEvent, sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";

/** Removes an active KMS identity (`PlatformPolicy.removeKmsIdentity`); governance only. */
export async function removeKmsIdentity(client: MaintainerWriter, parameters: { kms: Address }): Promise<SentTransaction & { event: DecodedEvent }> {
  const sent = await sendContractWrite(client, {
    address: client.platformPolicy,
    abi: platformPolicyAbi,
    functionName: "removeKmsIdentity",
    args: [parameters.kms],
  });
  return { ...sent, event: requireEvent(sent, "KmsIdentityRemoved") };
}

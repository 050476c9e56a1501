import type { Hex } from "viem";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import type { MaintainerWriter } from "./client";
import { requireEvent, sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";

/** Allows or disallows a TD platform hash (`PlatformPolicy.setPlatformAllowed`); governance only. */
export async function setPlatformAllowed(
  client: MaintainerWriter,
  parameters: { platformHash: Hex; allowed: boolean },
): Promise<SentTransaction & { event: DecodedEvent }> {
  const sent = await sendContractWrite(client, {
    address: client.platformPolicy,
    abi: platformPolicyAbi,
    functionName: "setPlatformAllowed",
    args: [parameters.platformHash, parameters.allowed],
  });
  return { ...sent, event: requireEvent(sent, "PlatformAllowanceChanged") };
}

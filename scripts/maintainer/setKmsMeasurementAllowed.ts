import type { Hex } from "viem";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import type { MaintainerWriter } from "./client";
import { requireEvent, sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";

/** Allows or disallows a KMS measurement (`PlatformPolicy.setKmsMeasurementAllowed`); governance only. */
export async function setKmsMeasurementAllowed(
  client: MaintainerWriter,
  parameters: { measurement: Hex; allowed: boolean },
): Promise<SentTransaction & { event: DecodedEvent }> {
  const sent = await sendContractWrite(client, {
    address: client.platformPolicy,
    abi: platformPolicyAbi,
    functionName: "setKmsMeasurementAllowed",
    args: [parameters.measurement, parameters.allowed],
  });
  return { ...sent, event: requireEvent(sent, "KmsMeasurementAllowanceChanged") };
}

import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import type { MaintainerWriter } from "./client";
import { readContractExplained } from "./readContractExplained";
import { requireEvent, sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";

export interface ChangeAllowedTcbStatusesParameters {
  /** The statuses to change, as a bit mask (see `parseTcbStatusNames`). */
  mask: number;
  /** true adds them to the accepted statuses, false removes them. */
  allowed: boolean;
}

/**
 * Adds or removes TCB statuses: reads the current mask, sets the changed one
 * (`PlatformPolicy.setAllowedTcbStatuses`); governance only. The event carries the full new mask.
 */
export async function changeAllowedTcbStatuses(
  client: MaintainerWriter,
  parameters: ChangeAllowedTcbStatusesParameters,
): Promise<SentTransaction & { event: DecodedEvent; previousMask: number; mask: number }> {
  const previousMask = Number(
    await readContractExplained<number>(client, { address: client.platformPolicy, abi: platformPolicyAbi, functionName: "allowedTcbStatuses" }),
  );
  const mask = parameters.allowed ? previousMask | parameters.mask : previousMask & ~parameters.mask;
  const sent = await sendContractWrite(client, {
    address: client.platformPolicy,
    abi: platformPolicyAbi,
    functionName: "setAllowedTcbStatuses",
    args: [mask],
  });
  return { ...sent, event: requireEvent(sent, "AllowedTcbStatusesChanged"), previousMask, mask };
}

import type { Hex } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import type { MaintainerWriter } from "./client";
import { requireEvent, sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";

export interface RevokeReleaseParameters {
  appId: Hex;
  composeHash: Hex;
}

export interface RevokeReleaseReturnType extends SentTransaction {
  event: DecodedEvent;
  /** When the release stopped being allowed (the block's timestamp). */
  revokedAt: bigint;
}

/** Revokes a release at once (`AppRegistry.revokeRelease`); the writer must be a current signer. */
export async function revokeRelease(client: MaintainerWriter, parameters: RevokeReleaseParameters): Promise<RevokeReleaseReturnType> {
  const sent = await sendContractWrite(client, {
    address: client.appRegistry,
    abi: appRegistryAbi,
    functionName: "revokeRelease",
    args: [parameters.appId, parameters.composeHash],
  });
  const event = requireEvent(sent, "ReleaseRevoked");
  return { ...sent, event, revokedAt: event.args.revokedAt as bigint };
}

import type { Address, Hex } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import type { MaintainerWriter } from "./client";
import { requireEvent, sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";

export interface RegisterAppParameters {
  signers: readonly Address[];
  threshold: number;
  /** Seconds between a release's approval and its activation. */
  noticePeriod: number;
}

export interface RegisterAppReturnType extends SentTransaction {
  /** The new app id, from the `AppRegistered` event. */
  appId: Hex;
  event: DecodedEvent;
}

/** Registers an app (`AppRegistry.registerApp`); the caller gets no special power over it. */
export async function registerApp(client: MaintainerWriter, parameters: RegisterAppParameters): Promise<RegisterAppReturnType> {
  const sent = await sendContractWrite(client, {
    address: client.appRegistry,
    abi: appRegistryAbi,
    functionName: "registerApp",
    args: [parameters.signers, parameters.threshold, BigInt(parameters.noticePeriod)],
  });
  const event = requireEvent(sent, "AppRegistered");
  return { ...sent, appId: (event.args.appId as Hex).toLowerCase() as Hex, event };
}

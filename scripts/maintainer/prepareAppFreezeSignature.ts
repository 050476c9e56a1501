import type { Hex } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import type { MaintainerClient } from "./client";
import { readChainClock, readContractExplained } from "./readContractExplained";
import { deadlineOf, SIGNATURE_FILE_FORMAT, type SignatureDeadline, type AppFreezeSignatureRequest } from "./signatureRequest";

export interface PrepareAppFreezeSignatureParameters {
  appId: Hex;
  /** When the signature stops being usable: a fixed unix time, or seconds after the chain's latest block. */
  deadline: SignatureDeadline;
}

/** Builds the `AppFreeze` message to sign, at the app's current configuration version. */
export async function prepareAppFreezeSignature(client: MaintainerClient, parameters: PrepareAppFreezeSignatureParameters): Promise<AppFreezeSignatureRequest> {
  const [, , , configVersion] = await readContractExplained<readonly [readonly Hex[], number, bigint, bigint, boolean]>(client, {
    address: client.appRegistry,
    abi: appRegistryAbi,
    functionName: "getApp",
    args: [parameters.appId],
  });
  const clock = await readChainClock(client);
  return {
    format: SIGNATURE_FILE_FORMAT,
    kind: "AppFreeze",
    chainId: client.chainId,
    verifyingContract: client.appRegistry,
    appId: parameters.appId.toLowerCase() as Hex,
    configVersion: Number(configVersion),
    deadline: deadlineOf(parameters.deadline, clock.timestamp),
  };
}

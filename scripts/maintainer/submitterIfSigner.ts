import type { Address, Hex } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import type { MaintainerWriter } from "./client";
import { readContractExplained } from "./readContractExplained";

/**
 * The writer's address when it is a current signer of the app, else undefined. Only a
 * signer-sender counts as an approval (and must be left out of the bundle); a relayer's own
 * signature, if any, stays in the bundle for the contract to judge.
 */
export async function submitterIfSigner(client: MaintainerWriter, appId: Hex): Promise<Address | undefined> {
  const isSigner = await readContractExplained<boolean>(client, {
    address: client.appRegistry,
    abi: appRegistryAbi,
    functionName: "isSigner",
    args: [appId, client.account.address],
  });
  return isSigner ? client.account.address : undefined;
}

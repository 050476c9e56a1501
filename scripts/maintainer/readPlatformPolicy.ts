import type { Address } from "viem";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import type { MaintainerClient } from "./client";
import { readChainClock, readContractExplained } from "./readContractExplained";
import { tcbStatusNamesOf, type TcbStatusName } from "./tcbStatusMask";

export interface ReadPlatformPolicyReturnType {
  governance: Address;
  /** The zero address when no transfer is pending. */
  pendingGovernance: Address;
  allowedTcbStatusMask: number;
  allowedTcbStatuses: TcbStatusName[];
  blockNumber: bigint;
}

/** PlatformPolicy's governance and accepted TCB statuses (platform hashes and KMS entries live in events: see the indexer). */
export async function readPlatformPolicy(client: MaintainerClient): Promise<ReadPlatformPolicyReturnType> {
  const { blockNumber } = await readChainClock(client);
  const at = { address: client.platformPolicy, abi: platformPolicyAbi, blockNumber } as const;
  const governance = await readContractExplained<Address>(client, { ...at, functionName: "governance" });
  const pendingGovernance = await readContractExplained<Address>(client, { ...at, functionName: "pendingGovernance" });
  const mask = Number(await readContractExplained<number>(client, { ...at, functionName: "allowedTcbStatuses" }));
  return { governance, pendingGovernance, allowedTcbStatusMask: mask, allowedTcbStatuses: tcbStatusNamesOf(mask), blockNumber };
}

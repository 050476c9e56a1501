import type { Address, Hex } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import type { MaintainerClient } from "./client";
import { readAppReleaseEvents, type ReleaseApprovedRecord, type ReleaseRevokedRecord } from "./readAppReleaseEvents";
import { readChainClock, readContractExplained } from "./readContractExplained";

export type ReleaseState = "pending" | "active" | "revoked";

export interface ReleaseSummary {
  composeHash: Hex;
  state: ReleaseState;
  /** From `getRelease` at the read block. */
  activatesAt: bigint;
  revokedAt: bigint;
  nonce: number;
  /** Every approval and revocation of this compose hash, in chain order. */
  approvals: ReleaseApprovedRecord[];
  revocations: ReleaseRevokedRecord[];
}

export interface ReadAppReturnType {
  appId: Hex;
  signers: Address[];
  threshold: number;
  noticePeriod: bigint;
  /** The notice an approval in the read block would get (the floor included). */
  effectiveNoticePeriod: bigint;
  /** Zero until a lowering update; it applies while the block time is before `until`. */
  noticeFloor: { period: bigint; until: bigint };
  configVersion: bigint;
  frozen: boolean;
  releases: ReleaseSummary[];
  /** Everything was read at this block (its timestamp decides pending vs active). */
  blockNumber: bigint;
  blockTimestamp: bigint;
}

/**
 * An app's state: its configuration from the views, and every release known from its
 * `ReleaseApproved` / `ReleaseRevoked` events, each with its record from `getRelease`. All reads
 * are pinned to one block, so the answer is consistent.
 */
export async function readApp(client: MaintainerClient, parameters: { appId: Hex }): Promise<ReadAppReturnType> {
  const { appId } = parameters;
  const clock = await readChainClock(client);
  const at = { address: client.appRegistry, abi: appRegistryAbi, blockNumber: clock.blockNumber } as const;
  const [signers, threshold, noticePeriod, configVersion, frozen] = await readContractExplained<readonly [readonly Address[], number, bigint, bigint, boolean]>(
    client,
    { ...at, functionName: "getApp", args: [appId] },
  );
  const [floorPeriod, floorUntil] = await readContractExplained<readonly [bigint, bigint]>(client, { ...at, functionName: "getNoticeFloor", args: [appId] });
  const effectiveNoticePeriod = await readContractExplained<bigint>(client, { ...at, functionName: "effectiveNoticePeriod", args: [appId] });

  const events = await readAppReleaseEvents(client, {
    appId,
    fromBlock: BigInt(client.deployment.contracts.AppRegistry.blockNumber),
    toBlock: clock.blockNumber,
  });
  const composeHashes = [...new Set(events.map((event) => event.composeHash))];
  const releases: ReleaseSummary[] = [];
  for (const composeHash of composeHashes) {
    const [activatesAt, revokedAt, nonce] = await readContractExplained<readonly [bigint, bigint, number]>(client, {
      ...at,
      functionName: "getRelease",
      args: [appId, composeHash],
    });
    const state: ReleaseState = revokedAt !== 0n ? "revoked" : clock.timestamp >= activatesAt ? "active" : "pending";
    releases.push({
      composeHash,
      state,
      activatesAt,
      revokedAt,
      nonce: Number(nonce),
      approvals: events.filter((event): event is ReleaseApprovedRecord => event.kind === "ReleaseApproved" && event.composeHash === composeHash),
      revocations: events.filter((event): event is ReleaseRevokedRecord => event.kind === "ReleaseRevoked" && event.composeHash === composeHash),
    });
  }
  return {
    appId: appId.toLowerCase() as Hex,
    signers: [...signers],
    threshold,
    noticePeriod,
    effectiveNoticePeriod,
    noticeFloor: { period: floorPeriod, until: floorUntil },
    configVersion,
    frozen,
    releases,
    blockNumber: clock.blockNumber,
    blockTimestamp: clock.timestamp,
  };
}

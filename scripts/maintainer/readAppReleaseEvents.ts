import { decodeEventLog, encodeEventTopics, pad, type Hex, type Log } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import type { MaintainerClient } from "./client";
import { asMaintainerError } from "./sendContractWrite";

export interface ReleaseApprovedRecord {
  kind: "ReleaseApproved";
  composeHash: Hex;
  metadataDigest: Hex;
  activatesAt: bigint;
  nonce: number;
  signers: Hex[];
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
}

export interface ReleaseRevokedRecord {
  kind: "ReleaseRevoked";
  composeHash: Hex;
  revoker: Hex;
  revokedAt: bigint;
  blockNumber: bigint;
  logIndex: number;
  transactionHash: Hex;
}

export type ReleaseEventRecord = ReleaseApprovedRecord | ReleaseRevokedRecord;

export interface ReadAppReleaseEventsParameters {
  appId: Hex;
  fromBlock: bigint;
  toBlock: bigint;
}

/**
 * The `ReleaseApproved` and `ReleaseRevoked` events of one app, in chain order, with one
 * `eth_getLogs` filter (both events index the app id first). Public RPCs cap the block range of
 * a query, so a refused range is halved until it is accepted.
 */
export async function readAppReleaseEvents(client: MaintainerClient, parameters: ReadAppReleaseEventsParameters): Promise<ReleaseEventRecord[]> {
  const [approvedTopic] = encodeEventTopics({ abi: appRegistryAbi, eventName: "ReleaseApproved" });
  const [revokedTopic] = encodeEventTopics({ abi: appRegistryAbi, eventName: "ReleaseRevoked" });
  const topics = [[approvedTopic, revokedTopic], pad(parameters.appId, { dir: "right", size: 32 }).toLowerCase()];
  const logs = await getLogsSplitting(client, topics as Hex[][], parameters.fromBlock, parameters.toBlock);
  return logs.map(decodeReleaseLog).sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
}

async function getLogsSplitting(client: MaintainerClient, topics: Hex[][], fromBlock: bigint, toBlock: bigint): Promise<Log[]> {
  if (fromBlock > toBlock) return [];
  try {
    return (await client.publicClient.request({
      method: "eth_getLogs",
      params: [{ address: client.appRegistry, topics, fromBlock: `0x${fromBlock.toString(16)}`, toBlock: `0x${toBlock.toString(16)}` }],
    } as never)) as Log[];
  } catch (error) {
    if (fromBlock === toBlock) throw asMaintainerError(error, "eth_getLogs");
    const middle = fromBlock + (toBlock - fromBlock) / 2n;
    return [...(await getLogsSplitting(client, topics, fromBlock, middle)), ...(await getLogsSplitting(client, topics, middle + 1n, toBlock))];
  }
}

function decodeReleaseLog(log: Log): ReleaseEventRecord {
  const decoded = decodeEventLog({ abi: appRegistryAbi, data: log.data, topics: log.topics });
  const position = { blockNumber: BigInt(log.blockNumber ?? 0), logIndex: Number(log.logIndex ?? 0), transactionHash: (log.transactionHash ?? "0x") as Hex };
  if (decoded.eventName === "ReleaseApproved") {
    const args = decoded.args;
    return {
      kind: "ReleaseApproved",
      composeHash: args.composeHash.toLowerCase() as Hex,
      metadataDigest: args.metadataDigest.toLowerCase() as Hex,
      activatesAt: args.activatesAt,
      nonce: args.nonce,
      signers: args.signers.map((signer) => signer.toLowerCase() as Hex),
      ...position,
    };
  }
  if (decoded.eventName === "ReleaseRevoked") {
    const args = decoded.args;
    return { kind: "ReleaseRevoked", composeHash: args.composeHash.toLowerCase() as Hex, revoker: args.revoker.toLowerCase() as Hex, revokedAt: args.revokedAt, ...position };
  }
  throw new Error(`unexpected event ${decoded.eventName} in an app release query`);
}

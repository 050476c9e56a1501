/**
 * `eth_getLogs` for the two policy contracts, read raw. viem's `getLogs` formats every log into
 * a rich object, which costs about as much as the node's own work; decoding needs only the
 * fields below, so the raw answer is turned into `PolicyLog`s directly.
 */
import type { PublicClient } from "viem";
import type { Hex, PolicyLog } from "../../policy";

export interface RawPolicyLog extends PolicyLog {
  readonly blockNumber: bigint;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  /** The block the node says the log is in: checked against the block's header. */
  readonly blockHash: Hex;
}

export interface GetPolicyLogsParameters {
  readonly addresses: readonly string[];
  readonly fromBlock: number;
  readonly toBlock: number;
}

interface RpcLog {
  address: string;
  topics: Hex[];
  data: Hex;
  blockNumber: string | null;
  blockHash: string | null;
  logIndex: string | null;
  transactionHash: string | null;
  removed?: boolean;
  blockTimestamp?: string | null;
}

const toQuantity = (value: number): Hex => `0x${value.toString(16)}`;

/** The logs of `addresses` in blocks [fromBlock, toBlock]; pending or removed logs are refused by decoding. */
export async function getPolicyLogs(client: Pick<PublicClient, "request">, parameters: GetPolicyLogsParameters): Promise<RawPolicyLog[]> {
  const logs = (await client.request({
    method: "eth_getLogs",
    params: [{ address: [...parameters.addresses] as Hex[], fromBlock: toQuantity(parameters.fromBlock), toBlock: toQuantity(parameters.toBlock) }],
  })) as unknown as RpcLog[];
  return logs.map((log) => ({
    address: log.address,
    topics: log.topics,
    data: log.data,
    blockNumber: BigInt(log.blockNumber ?? -1),
    logIndex: log.logIndex === null ? -1 : Number(log.logIndex),
    transactionHash: (log.transactionHash ?? "0x").toLowerCase() as Hex,
    blockHash: (log.blockHash ?? "0x").toLowerCase() as Hex,
    removed: log.removed === true || log.blockNumber === null || log.logIndex === null || log.transactionHash === null,
    blockTimestamp: log.blockTimestamp ? BigInt(log.blockTimestamp) : null,
  }));
}

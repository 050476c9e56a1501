/**
 * Block headers by number: what a sync links by `parentHash`, and the timestamps policy events
 * need (most nodes do not put `blockTimestamp` on logs). Up to 16 requests are in flight at once.
 */
import type { PublicClient } from "viem";
import type { Hex } from "../../policy";
import { AuditError } from "../errors";

export interface BlockHeader {
  readonly number: number;
  readonly hash: Hex;
  readonly parentHash: Hex;
  readonly timestamp: bigint;
}

interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
}

/** The header of `blockNumber`, or null when the chain has no such block yet. */
export async function getBlockHeader(client: Pick<PublicClient, "request">, blockNumber: number): Promise<BlockHeader | null> {
  const block = (await client.request({
    method: "eth_getBlockByNumber",
    params: [`0x${blockNumber.toString(16)}`, false],
  })) as unknown as RpcBlock | null;
  if (!block) return null;
  return {
    number: Number(block.number),
    hash: block.hash.toLowerCase() as Hex,
    parentHash: block.parentHash.toLowerCase() as Hex,
    timestamp: BigInt(block.timestamp),
  };
}

/** Requests in flight at once: enough to hide latency, few enough not to flood a public RPC. */
const CONCURRENCY = 16;

/** Headers of every block in `numbers`; throws AUDIT_BLOCK_OUT_OF_RANGE when one is missing. */
export async function getBlockHeaders(client: Pick<PublicClient, "request">, numbers: Iterable<number>): Promise<Map<number, BlockHeader>> {
  const unique = [...new Set(numbers)];
  const byNumber = new Map<number, BlockHeader>();
  for (let start = 0; start < unique.length; start += CONCURRENCY) {
    const slice = unique.slice(start, start + CONCURRENCY);
    const headers = await Promise.all(slice.map((number) => getBlockHeader(client, number)));
    headers.forEach((header, index) => {
      if (!header) throw new AuditError("AUDIT_BLOCK_OUT_OF_RANGE", `the chain has no block ${slice[index]}`);
      byNumber.set(header.number, header);
    });
  }
  return byNumber;
}

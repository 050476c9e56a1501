import type { PublicClient } from "viem";

/**
 * Hardhat's test controls, for the local chain only: mine blocks and move the chain's clock.
 * The demo uses them to confirm a block (the KMS and the indexer read at latest − 1) and to
 * wait out a notice period without waiting a day.
 */
export interface LocalChainControl {
  /** Mines `blocks` empty blocks; returns the new latest block number. */
  mine(blocks?: number): Promise<bigint>;
  /** Moves the clock `seconds` forward and mines a block carrying the new time. */
  increaseTime(seconds: number): Promise<{ number: bigint; timestamp: bigint }>;
}

export function localChainControl(client: PublicClient): LocalChainControl {
  return {
    async mine(blocks = 1) {
      await client.request({ method: "hardhat_mine" as never, params: [`0x${blocks.toString(16)}`] as never });
      return client.getBlockNumber({ cacheTime: 0 });
    },
    async increaseTime(seconds) {
      await client.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
      await client.request({ method: "evm_mine" as never, params: [] as never });
      const block = await client.getBlock({ blockTag: "latest" });
      return { number: block.number, timestamp: block.timestamp };
    },
  };
}

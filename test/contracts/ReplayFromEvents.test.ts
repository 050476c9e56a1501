/**
 * DESIGN.md, Audit: "The rebuilt state equals the contracts' views." A seeded random run of about
 * 150 operations on AppRegistry and PlatformPolicy; then the logs alone are decoded
 * (core/policy/decodeLogs.ts), replayed (core/policy/applyEvent.ts) and compared with every view,
 * now and at past blocks, and with the scenario's journal. The seed is printed; set
 * BASEKMS_REPLAY_SEED to repeat a run.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Log } from "ethers";
import { replayPolicyEvents } from "../../core/policy/applyEvent";
import { decodePolicyLogs, type PolicyLog } from "../../core/policy/decodeLogs";
import type { PolicyEventKind } from "../../core/policy/events";
import { seededRandom } from "./helpers/prng";
import { expectAppsMatch, expectPastDecisionsMatch, expectPlatformMatches, expectReleasesMatch } from "./helpers/replayCompare";
import { runScenario } from "./helpers/replayRun";
import { setUpScenario } from "./helpers/replayScenario";

const OPERATIONS = 150;
const PAST_BLOCKS_CHECKED = 30;

const EVERY_EVENT_KIND: PolicyEventKind[] = [
  "AppRegistered",
  "ReleaseApproved",
  "ReleaseRevoked",
  "AppConfigUpdated",
  "AppFrozen",
  "GovernanceTransferStarted",
  "GovernanceTransferred",
  "PlatformAllowanceChanged",
  "AllowedTcbStatusesChanged",
  "KmsMeasurementAllowanceChanged",
  "KmsIdentityRegistered",
  "KmsIdentityRemoved",
  "CheckpointRecorded",
  "CheckpointConflicted",
];

/** An ethers log in viem's `Log` shape, as an indexer's eth_getLogs would give it. */
function toPolicyLog(log: Log): PolicyLog {
  return {
    address: log.address,
    topics: log.topics as `0x${string}`[],
    data: log.data as `0x${string}`,
    blockNumber: BigInt(log.blockNumber),
    logIndex: log.index,
    transactionHash: log.transactionHash as `0x${string}`,
    removed: log.removed,
  };
}

function readSeed(): number {
  const fromEnvironment = process.env.BASEKMS_REPLAY_SEED;
  return fromEnvironment === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(fromEnvironment);
}

describe("replaying the contracts' events", () => {
  it("rebuilds every view of both contracts, now and in the past, after a random run", async () => {
    const seed = readSeed();
    console.log(`      replay seed ${seed} (BASEKMS_REPLAY_SEED=${seed} repeats this run)`);
    const startBlock = await ethers.provider.getBlockNumber();
    const world = await setUpScenario(seededRandom(seed));
    const performed = await runScenario(world, OPERATIONS);
    console.log(`      operations: ${[...performed].map(([name, count]) => `${name} ${count}`).join(", ")}`);

    const latestBlock = await ethers.provider.getBlockNumber();
    const contracts = { appRegistry: await world.registry.getAddress(), platformPolicy: await world.policy.getAddress() };
    const logs = await ethers.provider.getLogs({
      address: [contracts.appRegistry, contracts.platformPolicy],
      fromBlock: startBlock + 1,
      toBlock: latestBlock,
    });
    const blockTimestamps = new Map<bigint, bigint>();
    for (const blockNumber of new Set(logs.map((log) => log.blockNumber))) {
      const block = await ethers.provider.getBlock(blockNumber);
      if (!block) throw new Error(`no block ${blockNumber}`);
      blockTimestamps.set(BigInt(blockNumber), BigInt(block.timestamp));
    }
    const events = decodePolicyLogs(logs.map(toPolicyLog), { contracts, blockTimestamps });
    expect(new Set(events.map((event) => event.kind)), "every event kind occurs").to.deep.equal(new Set(EVERY_EVENT_KIND));
    const state = replayPolicyEvents(events);

    const latest = await ethers.provider.getBlock(latestBlock);
    if (!latest) throw new Error("no latest block");
    await expectAppsMatch(world, state, BigInt(latest.timestamp));
    await expectReleasesMatch(world, state, BigInt(latest.timestamp));
    await expectPlatformMatches(world, state);
    const pastBlocks = Array.from({ length: PAST_BLOCKS_CHECKED }, () => startBlock + 1 + world.random.int(latestBlock - startBlock));
    await expectPastDecisionsMatch(world, state, [...pastBlocks, latestBlock]);
  });
});

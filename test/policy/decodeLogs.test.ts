import { describe, expect, it } from "vitest";
import { encodeAbiParameters, encodeEventTopics, getAbiItem, getAddress, type Hex as ViemHex } from "viem";
import { appRegistryAbi } from "../../core/contracts/generated/AppRegistry";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { decodePolicyLog, decodePolicyLogs, type PolicyLog } from "../../core/policy/decodeLogs";
import { PolicyReplayError } from "../../core/policy/errors";

const REGISTRY = "0x00000000000000000000000000000000000000A1";
const POLICY = "0x00000000000000000000000000000000000000B2";
const contracts = { appRegistry: REGISTRY, platformPolicy: POLICY };
const SIGNER = getAddress("0xabcdef0000000000000000000000000000000001");
const APP_ID = "0xABABABABABABABABABABABABABABABABABABABAB";
const HASH = `0x${"Cd".repeat(32)}` as ViemHex;

/** A log as eth_getLogs returns it: indexed arguments in topics, the rest ABI-encoded in data. */
function encodeLog(
  abi: typeof appRegistryAbi | typeof platformPolicyAbi,
  eventName: string,
  args: Record<string, unknown>,
  position: Partial<PolicyLog> & { address: string },
): PolicyLog {
  // The event name is a runtime string here, so viem's per-event typing is switched off.
  const untyped = { abi: abi as readonly unknown[], eventName, name: eventName, args } as never;
  const item = getAbiItem(untyped) as unknown as { inputs: { name: string; type: string; indexed?: boolean }[] };
  const topics = (encodeEventTopics as (parameters: never) => ViemHex[])(untyped);
  const unindexed = item.inputs.filter((input) => !input.indexed);
  const data = encodeAbiParameters(unindexed, unindexed.map((input) => args[input.name]));
  return { topics, data, blockNumber: 7n, logIndex: 0, transactionHash: HASH, ...position };
}

const timestamps = new Map([[7n, 1_700_000_000n]]);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyReplayError);
    return (error as PolicyReplayError).code;
  }
}

describe("decodePolicyLog", () => {
  const approval = encodeLog(
    appRegistryAbi,
    "ReleaseApproved",
    { appId: APP_ID, composeHash: HASH, metadataDigest: HASH, activatesAt: 99n, nonce: 3, signers: [SIGNER] },
    { address: REGISTRY.toLowerCase() },
  );

  it("decodes an AppRegistry event into its typed, lowercase form with its chain position", () => {
    expect(decodePolicyLog(approval, { contracts, blockTimestamps: timestamps })).toEqual({
      kind: "ReleaseApproved",
      address: REGISTRY.toLowerCase(),
      blockNumber: 7n,
      blockTimestamp: 1_700_000_000n,
      logIndex: 0,
      transactionHash: HASH.toLowerCase(),
      appId: APP_ID.toLowerCase(),
      composeHash: HASH.toLowerCase(),
      metadataDigest: HASH.toLowerCase(),
      activatesAt: 99n,
      nonce: 3,
      signers: [SIGNER.toLowerCase()],
    });
  });

  it("decodes a PlatformPolicy event, preferring the log's own block timestamp", () => {
    const log = encodeLog(
      platformPolicyAbi,
      "CheckpointConflicted",
      { kms: SIGNER, treeSize: 5n, recordedRoot: HASH, conflictingRoot: `0x${"11".repeat(32)}`, signature: "0xABCD" },
      { address: POLICY, blockTimestamp: 42n },
    );
    expect(decodePolicyLog(log, { contracts, blockTimestamps: timestamps })).toMatchObject({
      kind: "CheckpointConflicted",
      blockTimestamp: 42n,
      kms: SIGNER.toLowerCase(),
      treeSize: 5n,
      signature: "0xabcd",
    });
  });

  it("refuses a log of another contract", () => {
    expect(codeOf(() => decodePolicyLog({ ...approval, address: POLICY }, { contracts, blockTimestamps: timestamps }))).toBe(
      "REPLAY_LOG_UNDECODABLE",
    );
    const stranger = { ...approval, address: "0x00000000000000000000000000000000000000c3" };
    expect(codeOf(() => decodePolicyLog(stranger, { contracts, blockTimestamps: timestamps }))).toBe("REPLAY_LOG_UNKNOWN_ADDRESS");
  });

  it("refuses a log whose data does not match its event", () => {
    expect(codeOf(() => decodePolicyLog({ ...approval, data: "0x1234" }, { contracts, blockTimestamps: timestamps }))).toBe(
      "REPLAY_LOG_UNDECODABLE",
    );
  });

  it("refuses a removed or pending log, and a log whose block time is unknown", () => {
    expect(codeOf(() => decodePolicyLog({ ...approval, removed: true }, { contracts, blockTimestamps: timestamps }))).toBe(
      "REPLAY_LOG_INCOMPLETE",
    );
    expect(codeOf(() => decodePolicyLog({ ...approval, blockNumber: null }, { contracts, blockTimestamps: timestamps }))).toBe(
      "REPLAY_LOG_INCOMPLETE",
    );
    expect(codeOf(() => decodePolicyLog(approval, { contracts }))).toBe("REPLAY_LOG_INCOMPLETE");
  });
});

describe("decodePolicyLogs", () => {
  it("returns the events of both contracts in (block, log index) order", () => {
    const tcb = (blockNumber: bigint, logIndex: number, mask: number) =>
      encodeLog(platformPolicyAbi, "AllowedTcbStatusesChanged", { mask }, { address: POLICY, blockNumber, logIndex, blockTimestamp: 1n });
    const events = decodePolicyLogs([tcb(9n, 0, 3), tcb(7n, 4, 2), tcb(7n, 1, 1)], { contracts });
    expect(events.map((event) => (event.kind === "AllowedTcbStatusesChanged" ? event.mask : -1))).toEqual([1, 2, 3]);
  });
});

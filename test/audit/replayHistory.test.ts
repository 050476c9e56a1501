import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { replayPolicyHistory } from "../../core/audit";
import {
  applyPolicyEvent,
  effectiveNoticePeriodAt,
  emptyPolicyState,
  noticeFloorAfterUpdate,
  PolicyReplayError,
  replayPolicyEvents,
  type Hex,
  type PolicyEvent,
  type PolicyEventBody,
  type PolicyState,
} from "../../core/policy";

/**
 * `replayPolicyHistory` replays by parts; these properties pin it to the plain reducer: the same
 * state for every valid history, and the same error for a history with one bad event.
 */
const hex = (byte: number, length: number): Hex => `0x${byte.toString(16).padStart(2, "0").repeat(length)}` as Hex;
const APPS = [1, 2, 3].map((byte) => hex(byte, 20));
const SIGNERS = [0x11, 0x22, 0x33].map((byte) => hex(byte, 20));
const HASHES = [0xa1, 0xa2, 0xa3, 0xa4].map((byte) => hex(byte, 32));
const PLATFORMS = [0xb1, 0xb2, 0xb3].map((byte) => hex(byte, 32));
const MEASUREMENTS = [0xc1, 0xc2].map((byte) => hex(byte, 32));
const KMS = [0x44, 0x55].map((byte) => hex(byte, 20));
const GOVERNANCE = hex(0x99, 20);

/** A candidate event built to be valid for `state`, from one random choice; undefined when none applies. */
function candidate(state: PolicyState, choice: number[], timestamp: bigint): PolicyEventBody | undefined {
  const [kind = 0, a = 0, b = 0, c = 0] = choice;
  const appId = APPS[a % APPS.length]!;
  const app = state.apps.get(appId);
  const composeHash = HASHES[b % HASHES.length]!;
  switch (kind % 11) {
    case 0:
      return { kind: "AppRegistered", appId, creator: SIGNERS[0]!, signers: SIGNERS.slice(0, 1 + (b % 3)), threshold: 1, noticePeriod: BigInt((c % 3) * 60) };
    case 1:
    case 2: {
      if (!app) return undefined;
      const release = app.releases.get(composeHash);
      return {
        kind: "ReleaseApproved",
        appId,
        composeHash,
        metadataDigest: hex(c % 256, 32),
        activatesAt: timestamp + effectiveNoticePeriodAt(app.config, timestamp),
        nonce: release?.nonce ?? 0,
        signers: [...app.config.signers].sort().slice(0, app.config.threshold),
      };
    }
    case 3:
      return app ? { kind: "ReleaseRevoked", appId, composeHash, revoker: app.config.signers[0]!, revokedAt: timestamp } : undefined;
    case 4: {
      if (!app) return undefined;
      const noticePeriod = BigInt((c % 4) * 30);
      const floor = noticeFloorAfterUpdate(app.config, noticePeriod, timestamp);
      const signers = SIGNERS.slice(0, 1 + (b % 3));
      return { kind: "AppConfigUpdated", appId, configVersion: app.config.configVersion + 1n, signers, threshold: 1 + (c % signers.length), noticePeriod, ...floor };
    }
    case 5:
      return app && c % 4 === 0 ? { kind: "AppFrozen", appId, configVersion: app.config.configVersion } : undefined;
    case 6:
      return { kind: "PlatformAllowanceChanged", platformHash: PLATFORMS[b % PLATFORMS.length]!, allowed: c % 3 !== 0 };
    case 7:
      return { kind: "KmsMeasurementAllowanceChanged", measurement: MEASUREMENTS[b % MEASUREMENTS.length]!, allowed: c % 3 !== 0 };
    case 8:
      return { kind: "KmsIdentityRegistered", kms: KMS[b % KMS.length]!, quoteHash: hex(c % 256, 32), measurement: MEASUREMENTS[c % MEASUREMENTS.length]! };
    case 9: {
      const kms = KMS[b % KMS.length]!;
      const latest = state.platform.checkpoints.get(kms)?.latestTreeSize ?? 0n;
      return c % 5 === 0 ? { kind: "KmsIdentityRemoved", kms } : { kind: "CheckpointRecorded", kms, treeSize: latest + 1n + BigInt(c % 3), rootHash: hex(c % 256, 32) };
    }
    default:
      return { kind: "AllowedTcbStatusesChanged", mask: c % 64 };
  }
}

/** Valid histories: each candidate is kept only if the reducer accepts it. */
const validHistory = fc.array(fc.array(fc.nat(40), { minLength: 4, maxLength: 4 }), { minLength: 10, maxLength: 150, size: "max" }).map((choices) => {
  let state = applyPolicyEvent(emptyPolicyState(), {
    kind: "GovernanceTransferred",
    previousGovernance: hex(0, 20),
    newGovernance: GOVERNANCE,
    address: hex(0xee, 20),
    blockNumber: 1n,
    blockTimestamp: 1000n,
    logIndex: 0,
    transactionHash: hex(0, 32),
  });
  const events: PolicyEvent[] = [];
  choices.forEach((choice, index) => {
    const blockNumber = BigInt(2 + Math.floor(index / 3));
    const timestamp = 1000n + blockNumber * 12n;
    const body = candidate(state, choice, timestamp);
    if (!body) return;
    const event = { ...body, address: hex(0xee, 20), blockNumber, blockTimestamp: timestamp, logIndex: index % 3, transactionHash: hex(index % 256, 32) } as PolicyEvent;
    try {
      state = applyPolicyEvent(state, event);
      events.push(event);
    } catch {
      // not valid here: skip it
    }
  });
  return events;
});

function outcome(replay: () => PolicyState): { state: PolicyState } | { code: string } {
  try {
    return { state: replay() };
  } catch (error) {
    if (error instanceof PolicyReplayError) return { code: error.code };
    throw error;
  }
}

describe("replayPolicyHistory", () => {
  it("rebuilds every valid history exactly as the plain reducer does", () => {
    let kinds = 0;
    fc.assert(
      fc.property(validHistory, (events) => {
        kinds += new Set(events.map((event) => event.kind)).size;
        expect(replayPolicyHistory(events)).toEqual(replayPolicyEvents(events));
      }),
      { numRuns: 150 },
    );
    expect(kinds / 150, "average distinct event kinds per history").toBeGreaterThan(5);
  });

  it("refuses a history with one altered event with the plain reducer's error code", () => {
    fc.assert(
      fc.property(validHistory, fc.nat(), fc.nat(5), (events, at, mutation) => {
        fc.pre(events.length > 0);
        const index = at % events.length;
        const original = events[index]!;
        const altered: PolicyEvent[] = [...events];
        if (mutation === 0) altered.splice(index, 1);
        else if (mutation === 1) altered.splice(index, 0, { ...original, logIndex: original.logIndex });
        else if (mutation === 2 && "appId" in original) altered[index] = { ...original, appId: hex(0x77, 20) } as PolicyEvent;
        else if (mutation === 3 && original.kind === "ReleaseApproved") altered[index] = { ...original, nonce: original.nonce + 1 };
        else if (mutation === 4 && original.kind === "ReleaseApproved") altered[index] = { ...original, activatesAt: original.activatesAt + 1n };
        else altered.splice(index + 1, 0, { ...original, logIndex: original.logIndex + 100 });
        expect(outcome(() => replayPolicyHistory(altered))).toEqual(outcome(() => replayPolicyEvents(altered)));
      }),
      { numRuns: 200 },
    );
  });

  it("refuses events out of chain order with REPLAY_EVENT_OUT_OF_ORDER", () => {
    const first = { kind: "PlatformAllowanceChanged", platformHash: PLATFORMS[0]!, allowed: true, address: hex(0xee, 20), blockNumber: 5n, blockTimestamp: 60n, logIndex: 1, transactionHash: hex(1, 32) } as const;
    const second = { ...first, platformHash: PLATFORMS[1]!, logIndex: 0 };
    expect(() => replayPolicyHistory([first, second])).toThrowError(expect.objectContaining({ code: "REPLAY_EVENT_OUT_OF_ORDER" }));
  });

  it("gives the empty state for no events", () => {
    expect(replayPolicyHistory([])).toEqual(emptyPolicyState());
  });
});

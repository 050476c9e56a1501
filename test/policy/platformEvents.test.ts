import { describe, expect, it } from "vitest";
import { PolicyReplayError } from "../../core/policy/errors";
import { replayPolicyEvents } from "../../core/policy/applyEvent";
import type { PolicyEvent } from "../../core/policy/events";
import { ZERO_ADDRESS } from "../../core/policy/state";
import { ALICE, BOB, CAROL, address, at, hash32, timeOfBlock } from "./helpers/events";

const KMS = address(0x4b45);
const MEASUREMENT = hash32(0x3e);
const ROOT_5 = hash32(0x505);
const FORKED_ROOT_5 = hash32(0xf05);

/** What the PlatformPolicy constructor emits, governed by Alice. */
const deployed = [
  at(1, { kind: "GovernanceTransferred", previousGovernance: ZERO_ADDRESS, newGovernance: ALICE }, 0),
  at(1, { kind: "AllowedTcbStatusesChanged", mask: 1 }, 1),
];
const withKms = [
  ...deployed,
  at(2, { kind: "KmsMeasurementAllowanceChanged", measurement: MEASUREMENT, allowed: true }),
  at(3, { kind: "KmsIdentityRegistered", kms: KMS, quoteHash: hash32(0x9), measurement: MEASUREMENT }),
];

function replayCode(events: PolicyEvent[]): string | undefined {
  try {
    replayPolicyEvents(events);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyReplayError);
    return (error as PolicyReplayError).code;
  }
}

describe("applyPlatformPolicyEvent", () => {
  it("starts from the constructor's events: the first governance and UpToDate only", () => {
    const { platform } = replayPolicyEvents(deployed);
    expect([platform.governance, platform.pendingGovernance, platform.allowedTcbStatuses]).toEqual([ALICE, ZERO_ADDRESS, 1]);
  });

  it("hands governance over in two steps and clears the offer", () => {
    const offered = at(2, { kind: "GovernanceTransferStarted", previousGovernance: ALICE, pendingGovernance: BOB });
    expect(replayPolicyEvents([...deployed, offered]).platform).toMatchObject({ governance: ALICE, pendingGovernance: BOB });
    const accepted = at(3, { kind: "GovernanceTransferred", previousGovernance: ALICE, newGovernance: BOB });
    expect(replayPolicyEvents([...deployed, offered, accepted]).platform).toMatchObject({
      governance: BOB,
      pendingGovernance: ZERO_ADDRESS,
    });
  });

  it("refuses a governance event that names another governance than the current one", () => {
    const offered = at(2, { kind: "GovernanceTransferStarted", previousGovernance: CAROL, pendingGovernance: BOB });
    expect(replayCode([...deployed, offered])).toBe("REPLAY_GOVERNANCE_MISMATCH");
    const moved = at(2, { kind: "GovernanceTransferred", previousGovernance: BOB, newGovernance: CAROL });
    expect(replayCode([...deployed, moved])).toBe("REPLAY_GOVERNANCE_MISMATCH");
  });

  it("allows and disallows platforms and KMS measurements", () => {
    const platformHash = hash32(0x91);
    const state = replayPolicyEvents([
      ...deployed,
      at(2, { kind: "PlatformAllowanceChanged", platformHash, allowed: true }),
      at(3, { kind: "KmsMeasurementAllowanceChanged", measurement: MEASUREMENT, allowed: true }),
      at(4, { kind: "PlatformAllowanceChanged", platformHash, allowed: false }),
    ]);
    expect(state.platform.allowedPlatforms.has(platformHash)).toBe(false);
    expect(state.platform.allowedKmsMeasurements.has(MEASUREMENT)).toBe(true);
  });

  it("refuses a TCB status mask with a bit above 5", () => {
    expect(replayCode([...deployed, at(2, { kind: "AllowedTcbStatusesChanged", mask: 0x40 })])).toBe("REPLAY_INVALID_TCB_MASK");
  });

  it("registers, removes and re-registers a KMS identity, keeping its log", () => {
    const state = replayPolicyEvents([
      ...withKms,
      at(4, { kind: "CheckpointRecorded", kms: KMS, treeSize: 5n, rootHash: ROOT_5 }),
      at(5, { kind: "KmsIdentityRemoved", kms: KMS }),
      at(6, { kind: "KmsIdentityRegistered", kms: KMS, quoteHash: hash32(0xa), measurement: MEASUREMENT }),
    ]);
    expect(state.platform.kmsIdentities.get(KMS)).toEqual({ kms: KMS, active: true, quoteHash: hash32(0xa), measurement: MEASUREMENT });
    expect(state.platform.checkpoints.get(KMS)?.latestTreeSize).toBe(5n);
  });

  it("refuses identity events that do not fit the identity's state", () => {
    expect(replayCode([...withKms, at(4, { kind: "KmsIdentityRegistered", kms: KMS, quoteHash: hash32(1), measurement: MEASUREMENT })])).toBe(
      "REPLAY_KMS_IDENTITY_STATE",
    );
    expect(replayCode([...deployed, at(2, { kind: "KmsIdentityRemoved", kms: KMS })])).toBe("REPLAY_KMS_IDENTITY_STATE");
    expect(replayCode([...deployed, at(2, { kind: "KmsIdentityRegistered", kms: KMS, quoteHash: hash32(1), measurement: MEASUREMENT })])).toBe(
      "REPLAY_KMS_MEASUREMENT_NOT_ALLOWED",
    );
  });

  it("records growing checkpoints and refuses one that does not grow or comes from an inactive identity", () => {
    const first = at(4, { kind: "CheckpointRecorded", kms: KMS, treeSize: 5n, rootHash: ROOT_5 });
    const state = replayPolicyEvents([...withKms, first]);
    expect(state.platform.checkpoints.get(KMS)?.roots.get(5n)).toBe(ROOT_5);
    expect(replayCode([...withKms, first, { ...first, blockNumber: 5n }])).toBe("REPLAY_CHECKPOINT_NOT_GROWING");
    expect(replayCode([...deployed, { ...first, blockNumber: 2n }])).toBe("REPLAY_KMS_IDENTITY_STATE");
  });

  it("keeps conflict evidence without changing the record, and refuses a conflict that misquotes the record", () => {
    const first = at(4, { kind: "CheckpointRecorded", kms: KMS, treeSize: 5n, rootHash: ROOT_5 });
    const conflict = at(5, {
      kind: "CheckpointConflicted",
      kms: KMS,
      treeSize: 5n,
      recordedRoot: ROOT_5,
      conflictingRoot: FORKED_ROOT_5,
      signature: "0x1234",
    });
    const state = replayPolicyEvents([...withKms, first, conflict]);
    expect(state.platform.conflicts).toEqual([
      { kms: KMS, treeSize: 5n, recordedRoot: ROOT_5, conflictingRoot: FORKED_ROOT_5, signature: "0x1234", blockNumber: 5n, blockTimestamp: timeOfBlock(5), transactionHash: conflict.transactionHash },
    ]);
    expect(state.platform.checkpoints.get(KMS)?.roots.get(5n)).toBe(ROOT_5);
    expect(replayCode([...withKms, first, { ...conflict, recordedRoot: FORKED_ROOT_5 }])).toBe("REPLAY_CHECKPOINT_CONFLICT_MISMATCH");
    expect(replayCode([...withKms, first, { ...conflict, conflictingRoot: ROOT_5 }])).toBe("REPLAY_CHECKPOINT_CONFLICT_MISMATCH");
    expect(replayCode([...withKms, { ...conflict, blockNumber: 4n }])).toBe("REPLAY_CHECKPOINT_CONFLICT_MISMATCH");
  });
});

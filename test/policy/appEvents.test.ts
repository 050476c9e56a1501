import { describe, expect, it } from "vitest";
import { PolicyReplayError } from "../../core/policy/errors";
import { replayPolicyEvents } from "../../core/policy/applyEvent";
import type { PolicyEvent } from "../../core/policy/events";
import { ALICE, APP, BOB, CAROL, MALLORY, approved, at, hash32, registered, timeOfBlock } from "./helpers/events";

const COMPOSE = hash32(0xc0);

function replayCode(events: PolicyEvent[]): string | undefined {
  try {
    replayPolicyEvents(events);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyReplayError);
    return (error as PolicyReplayError).code;
  }
}

function revoked(blockNumber: number, revoker = ALICE) {
  return at(blockNumber, { kind: "ReleaseRevoked", appId: APP, composeHash: COMPOSE, revoker, revokedAt: timeOfBlock(blockNumber) });
}

function updated(blockNumber: number, noticePeriod: bigint, floor: [bigint, bigint], configVersion = 2n) {
  return at(blockNumber, {
    kind: "AppConfigUpdated",
    appId: APP,
    configVersion,
    signers: [MALLORY],
    threshold: 1,
    noticePeriod,
    previousNoticePeriod: floor[0],
    previousNoticeUntil: floor[1],
  });
}

describe("applyAppRegistryEvent", () => {
  it("registers an app at configuration version 1 with no notice floor", () => {
    const app = replayPolicyEvents([registered()]).apps.get(APP)!;
    expect(app.config).toMatchObject({ configVersion: 1n, signers: [ALICE, BOB, CAROL], threshold: 2, noticePeriod: 100n });
    expect([app.config.previousNoticePeriod, app.config.previousNoticeUntil, app.frozen, app.creator]).toEqual([0n, 0n, false, MALLORY]);
  });

  it("records an approval as getRelease reports it, and keeps its history", () => {
    const release = replayPolicyEvents([registered(), approved(2, COMPOSE, 0)]).apps.get(APP)!.releases.get(COMPOSE)!;
    expect([release.activatesAt, release.revokedAt, release.nonce]).toEqual([timeOfBlock(2) + 100n, 0n, 1]);
    expect(release.approvals).toHaveLength(1);
    expect(release.approvals[0]).toMatchObject({ nonce: 0, signers: [BOB, CAROL], blockTimestamp: timeOfBlock(2), revocation: null });
  });

  it("revokes the standing approval at once and lets a later approval with the next nonce stand", () => {
    const state = replayPolicyEvents([registered(), approved(2, COMPOSE, 0), revoked(3), approved(4, COMPOSE, 1)]);
    const release = state.apps.get(APP)!.releases.get(COMPOSE)!;
    expect([release.activatesAt, release.revokedAt, release.nonce]).toEqual([timeOfBlock(4) + 100n, 0n, 2]);
    expect(release.approvals[0]!.revocation).toMatchObject({ revoker: ALICE, revokedAt: timeOfBlock(3) });
    expect(release.approvals[1]!.revocation).toBeNull();
  });

  it("refuses a second registration of the same app id", () => {
    expect(replayCode([registered(), { ...registered(), blockNumber: 2n }])).toBe("REPLAY_APP_EXISTS");
  });

  it("refuses events of an app that was never registered", () => {
    expect(replayCode([approved(2, COMPOSE, 0)])).toBe("REPLAY_UNKNOWN_APP");
  });

  it("refuses an approval whose nonce is not the count of earlier approvals", () => {
    expect(replayCode([registered(), approved(2, COMPOSE, 1)])).toBe("REPLAY_RELEASE_NONCE_MISMATCH");
    expect(replayCode([registered(), approved(2, COMPOSE, 0), revoked(3), approved(4, COMPOSE, 0)])).toBe(
      "REPLAY_RELEASE_NONCE_MISMATCH",
    );
  });

  it("refuses an approval of a compose hash that stands approved", () => {
    expect(replayCode([registered(), approved(2, COMPOSE, 0), approved(3, COMPOSE, 1)])).toBe("REPLAY_RELEASE_ALREADY_APPROVED");
  });

  it("refuses approvers that are too few, unknown, repeated or unsorted", () => {
    for (const signers of [[BOB], [BOB, MALLORY], [BOB, BOB], [CAROL, BOB]]) {
      expect(replayCode([registered(), { ...approved(2, COMPOSE, 0), signers }]), signers.join()).toBe("REPLAY_NOT_AUTHORIZED");
    }
  });

  it("refuses an activation time other than block time plus the effective notice", () => {
    expect(replayCode([registered(), { ...approved(2, COMPOSE, 0), activatesAt: timeOfBlock(2) + 99n }])).toBe(
      "REPLAY_ACTIVATION_MISMATCH",
    );
    // Lowered to 0 in block 2: the 100-second floor holds until block time 1004 + 100.
    const lowered = updated(2, 0n, [100n, timeOfBlock(2) + 100n]);
    const tooSoon = at(3, { ...approved(3, COMPOSE, 0, 0n), signers: [MALLORY] });
    expect(replayCode([registered(), lowered, tooSoon])).toBe("REPLAY_ACTIVATION_MISMATCH");
    const withFloor = at(3, { ...approved(3, COMPOSE, 0, 100n), signers: [MALLORY] });
    expect(replayCode([registered(), lowered, withFloor])).toBeUndefined();
  });

  it("refuses a revocation by a non-signer, of an unapproved hash, twice, or at another time than its block", () => {
    expect(replayCode([registered(), approved(2, COMPOSE, 0), revoked(3, MALLORY)])).toBe("REPLAY_NOT_AUTHORIZED");
    expect(replayCode([registered(), revoked(3)])).toBe("REPLAY_RELEASE_NOT_REVOCABLE");
    expect(replayCode([registered(), approved(2, COMPOSE, 0), revoked(3), revoked(4)])).toBe("REPLAY_RELEASE_NOT_REVOCABLE");
    expect(replayCode([registered(), approved(2, COMPOSE, 0), { ...revoked(3), revokedAt: 1n }])).toBe(
      "REPLAY_TIMESTAMP_MISMATCH",
    );
  });

  it("replaces the configuration, keeps every version, and retires the old signers at once", () => {
    const state = replayPolicyEvents([registered(), updated(2, 300n, [0n, 0n])]);
    const app = state.apps.get(APP)!;
    expect(app.config).toMatchObject({ configVersion: 2n, signers: [MALLORY], threshold: 1, noticePeriod: 300n });
    expect(app.configHistory.map((config) => config.configVersion)).toEqual([1n, 2n]);
    expect(replayCode([registered(), updated(2, 300n, [0n, 0n]), approved(3, COMPOSE, 0, 300n)])).toBe("REPLAY_NOT_AUTHORIZED");
  });

  it("refuses an update that skips a version or stores another notice floor than the rule gives", () => {
    expect(replayCode([registered(), updated(2, 300n, [0n, 0n], 3n)])).toBe("REPLAY_CONFIG_VERSION_MISMATCH");
    expect(replayCode([registered(), updated(2, 0n, [0n, 0n])])).toBe("REPLAY_NOTICE_FLOOR_MISMATCH");
    expect(replayCode([registered(), updated(2, 0n, [100n, timeOfBlock(2) + 99n])])).toBe("REPLAY_NOTICE_FLOOR_MISMATCH");
  });

  it("freezes the app at its current version and refuses every later change", () => {
    const frozen = at(2, { kind: "AppFrozen", appId: APP, configVersion: 1n });
    const app = replayPolicyEvents([registered(), frozen]).apps.get(APP)!;
    expect([app.frozen, app.frozenAt?.blockNumber]).toEqual([true, 2n]);
    expect(replayCode([registered(), { ...frozen, configVersion: 2n }])).toBe("REPLAY_CONFIG_VERSION_MISMATCH");
    expect(replayCode([registered(), frozen, approved(3, COMPOSE, 0)])).toBe("REPLAY_APP_FROZEN");
    expect(replayCode([registered(), frozen, updated(3, 100n, [0n, 0n])])).toBe("REPLAY_APP_FROZEN");
  });
});

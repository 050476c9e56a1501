import { describe, expect, it } from "vitest";
import { replayPolicyEvents } from "../../core/policy/applyEvent";
import { isCurrentSigner, isPlatformAllowed, isReleaseAllowedAt } from "../../core/policy/queries";
import { ZERO_ADDRESS } from "../../core/policy/state";
import { ALICE, APP, MALLORY, approved, at, hash32, registered, timeOfBlock } from "./helpers/events";

const COMPOSE = hash32(0xc0);
const PLATFORM = hash32(0x91);

describe("isReleaseAllowedAt", () => {
  // Approved in block 2 (activates 100 s later), revoked in block 60, approved again in block 70.
  const state = replayPolicyEvents([
    registered(),
    approved(2, COMPOSE, 0),
    at(60, { kind: "ReleaseRevoked", appId: APP, composeHash: COMPOSE, revoker: ALICE, revokedAt: timeOfBlock(60) }),
    approved(70, COMPOSE, 1),
  ]);
  const activatesAt = timeOfBlock(2) + 100n;

  it("is false one second before activation and true at activation", () => {
    expect(isReleaseAllowedAt(state, APP, COMPOSE, activatesAt - 1n)).toBe(false);
    expect(isReleaseAllowedAt(state, APP, COMPOSE, activatesAt)).toBe(true);
  });

  it("is false from the revocation's block time on, until a new approval activates", () => {
    expect(isReleaseAllowedAt(state, APP, COMPOSE, timeOfBlock(60) - 1n)).toBe(true);
    expect(isReleaseAllowedAt(state, APP, COMPOSE, timeOfBlock(60))).toBe(false);
    expect(isReleaseAllowedAt(state, APP, COMPOSE, timeOfBlock(70) + 99n)).toBe(false);
    expect(isReleaseAllowedAt(state, APP, COMPOSE, timeOfBlock(70) + 100n)).toBe(true);
  });

  it("is false before any approval, for an unknown compose hash and for an unknown app", () => {
    expect(isReleaseAllowedAt(state, APP, COMPOSE, timeOfBlock(1))).toBe(false);
    expect(isReleaseAllowedAt(state, APP, hash32(0xc1), 10n ** 9n)).toBe(false);
    expect(isReleaseAllowedAt(state, MALLORY, COMPOSE, 10n ** 9n)).toBe(false);
  });

  it("accepts mixed-case hex", () => {
    expect(isReleaseAllowedAt(state, APP.toUpperCase().replace("0X", "0x"), COMPOSE.toUpperCase().replace("0X", "0x"), activatesAt)).toBe(true);
  });
});

describe("isPlatformAllowed", () => {
  const state = replayPolicyEvents([
    at(1, { kind: "GovernanceTransferred", previousGovernance: ZERO_ADDRESS, newGovernance: ALICE }),
    at(2, { kind: "AllowedTcbStatusesChanged", mask: 0b10001 }),
    at(3, { kind: "PlatformAllowanceChanged", platformHash: PLATFORM, allowed: true }),
  ]);

  it("needs both an allowed platform hash and an accepted TCB status bit", () => {
    expect(isPlatformAllowed(state, PLATFORM, 0)).toBe(true);
    expect(isPlatformAllowed(state, PLATFORM, 4)).toBe(true);
    expect(isPlatformAllowed(state, PLATFORM, 1)).toBe(false);
    expect(isPlatformAllowed(state, hash32(0x92), 0)).toBe(false);
  });

  it("is false for a status index above 5 or that is not an integer", () => {
    for (const status of [6, 255, -1, 0.5]) expect(isPlatformAllowed(state, PLATFORM, status)).toBe(false);
  });
});

describe("isCurrentSigner", () => {
  it("answers for the current configuration only", () => {
    const state = replayPolicyEvents([registered()]);
    expect(isCurrentSigner(state, APP, ALICE)).toBe(true);
    expect(isCurrentSigner(state, APP, MALLORY)).toBe(false);
    expect(isCurrentSigner(state, MALLORY, ALICE)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { createPlatformCursor, judgeLeaf, type LeafJudgeContext } from "../../core/audit";
import { keyReleaseLeaf, onboardingLeaf, type ReleaseLeaf } from "../../core/releaseLog";
import { APP, hex, KMS, standardHistory, standardState, timeOf } from "./policyFixture";

/** One test per finding code of judgeLeaf, on the standard history (policyFixture.ts). */
const REGISTRY = hex(0x55, 20);
const events = standardHistory();
const state = standardState();

function contextAt(block: number, overrides: Partial<LeafJudgeContext> = {}): LeafJudgeContext {
  return {
    chainId: 31337,
    appRegistry: REGISTRY,
    kms: KMS,
    history: state,
    platformAtBlock: createPlatformCursor(events).stateAt(BigInt(block)),
    policyBlock: { number: block, claimedHash: hex(block, 32), canonical: { hash: hex(block, 32), timestamp: timeOf(block) } },
    ...overrides,
  };
}

const release = (fields: Partial<Parameters<typeof keyReleaseLeaf>[0]> = {}): ReleaseLeaf =>
  keyReleaseLeaf({
    time: 1,
    kms: KMS,
    chainId: 31337,
    appRegistry: REGISTRY,
    appId: APP,
    instanceId: "01",
    composeHash: "a1".repeat(32),
    platformHash: "b1".repeat(32),
    tcbStatus: "UpToDate",
    advisoryIds: [],
    quoteSha256: "00".repeat(32),
    policyBlock: { number: 15, hash: hex(15, 32) },
    agentKeySha256: "00".repeat(32),
    keyEpoch: 0,
    ...fields,
  }).leaf;

const codes = (leaf: ReleaseLeaf, context: LeafJudgeContext) => judgeLeaf(0, leaf, context).map((finding) => [finding.code, finding.evidence.reason ?? null]);

describe("judgeLeaf", () => {
  it("finds nothing for a key release the policy allowed at its block", () => {
    expect(judgeLeaf(0, release(), contextAt(15))).toEqual([]);
  });

  it("explains a refused compose hash: not yet active, revoked, never approved, unknown app", () => {
    expect(codes(release(), contextAt(5))).toEqual([["LEAF_COMPOSE_HASH_NOT_ALLOWED", "not-yet-active"]]);
    expect(codes(release(), contextAt(35))).toEqual([["LEAF_COMPOSE_HASH_NOT_ALLOWED", "revoked"]]);
    expect(codes(release({ composeHash: "a9".repeat(32) }), contextAt(15))).toEqual([["LEAF_COMPOSE_HASH_NOT_ALLOWED", "not-approved"]]);
    expect(codes(release({ appId: hex(0x0b, 20) }), contextAt(15))).toEqual([["LEAF_COMPOSE_HASH_NOT_ALLOWED", "unknown-app"]]);
  });

  it("reports LEAF_PLATFORM_NOT_ALLOWED after the platform was disallowed, and LEAF_TCB_STATUS_NOT_ALLOWED for a status outside the mask", () => {
    expect(codes(release({ composeHash: "a2".repeat(32) }), contextAt(45))).toEqual([["LEAF_PLATFORM_NOT_ALLOWED", null]]);
    expect(codes(release({ tcbStatus: "OutOfDate" }), contextAt(15))).toEqual([["LEAF_TCB_STATUS_NOT_ALLOWED", null]]);
    expect(codes(release({ tcbStatus: "Revoked" }), contextAt(15))).toEqual([["LEAF_TCB_STATUS_NOT_ALLOWED", null]]);
  });

  it("reports LEAF_CHAIN_MISMATCH and LEAF_KMS_MISMATCH for a leaf of another deployment or KMS", () => {
    expect(codes(release({ chainId: 8453 }), contextAt(15))).toEqual([["LEAF_CHAIN_MISMATCH", null]]);
    expect(codes(release(), contextAt(15, { kms: hex(0x45, 20) }))).toEqual([["LEAF_KMS_MISMATCH", null]]);
  });

  it("reports LEAF_KMS_NOT_REGISTERED before the identity's registration", () => {
    const before = contextAt(0, { platformAtBlock: createPlatformCursor(events).stateAt(0n) });
    expect(codes(release(), before).map(([code]) => code)).toEqual(["LEAF_KMS_NOT_REGISTERED", "LEAF_PLATFORM_NOT_ALLOWED", "LEAF_COMPOSE_HASH_NOT_ALLOWED"]);
  });

  it("reports LEAF_POLICY_BLOCK_NOT_CANONICAL and LEAF_POLICY_BLOCK_UNKNOWN", () => {
    const forked = contextAt(15, { policyBlock: { number: 15, claimedHash: hex(0x99, 32), canonical: { hash: hex(15, 32), timestamp: timeOf(15) } } });
    expect(codes(release(), forked)).toEqual([["LEAF_POLICY_BLOCK_NOT_CANONICAL", null]]);
    const unknown = contextAt(15, { platformAtBlock: null, policyBlock: { number: 99, claimedHash: hex(99, 32), canonical: null } });
    expect(codes(release(), unknown)).toEqual([["LEAF_POLICY_BLOCK_UNKNOWN", null]]);
  });

  it("reports LEAF_KMS_MEASUREMENT_NOT_ALLOWED for an onboarding of a measurement not allowed", () => {
    const onboarding = (kmsMeasurement: string) =>
      onboardingLeaf({
        time: 1,
        kms: KMS,
        chainId: 31337,
        appRegistry: REGISTRY,
        newKms: hex(0x46, 20),
        kmsMeasurement,
        platformHash: "b1".repeat(32),
        tcbStatus: "UpToDate",
        advisoryIds: [],
        quoteSha256: "00".repeat(32),
        policyBlock: { number: 15, hash: hex(15, 32) },
        agentKeySha256: "00".repeat(32),
        keyEpoch: 0,
      }).leaf;
    expect(judgeLeaf(0, onboarding("c1".repeat(32)), contextAt(15))).toEqual([]);
    expect(codes(onboarding("c2".repeat(32)), contextAt(15))).toEqual([["LEAF_KMS_MEASUREMENT_NOT_ALLOWED", null]]);
  });
});

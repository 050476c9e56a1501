/**
 * Builders for policy events in reducer tests: a body plus a chain position. Each builder call
 * takes the block number; the timestamp defaults to 1000 + 2 s per block, like a 2-second chain.
 */
import type { Hex, PolicyEvent, PolicyEventBody } from "../../../core/policy/events";

export const PLATFORM_POLICY: Hex = "0x00000000000000000000000000000000000000b2";
export const APP_REGISTRY: Hex = "0x00000000000000000000000000000000000000a1";

/** A distinct lowercase 20-byte address for a name: 0x0…0<n>. */
export function address(n: number): Hex {
  return `0x${n.toString(16).padStart(40, "0")}`;
}

/** A distinct lowercase 32-byte hash for a number. */
export function hash32(n: number): Hex {
  return `0x${n.toString(16).padStart(64, "0")}`;
}

export const APP: Hex = `0x${"ab".repeat(20)}`;
export const ALICE = address(0xa11ce);
export const BOB = address(0xb0b);
export const CAROL = address(0xca401);
export const MALLORY = address(0x3a11);

export function timeOfBlock(blockNumber: number): bigint {
  return 1000n + 2n * BigInt(blockNumber);
}

/** `body` placed at `blockNumber` (log `logIndex`), emitted by the contract that owns its kind. */
export function at<Body extends PolicyEventBody>(
  blockNumber: number,
  body: Body,
  logIndex = 0,
): Extract<PolicyEvent, { kind: Body["kind"] }> {
  const fromRegistry = ["AppRegistered", "ReleaseApproved", "ReleaseRevoked", "AppConfigUpdated", "AppFrozen"].includes(
    body.kind,
  );
  return {
    ...body,
    address: fromRegistry ? APP_REGISTRY : PLATFORM_POLICY,
    blockNumber: BigInt(blockNumber),
    blockTimestamp: timeOfBlock(blockNumber),
    logIndex,
    transactionHash: hash32(blockNumber * 1000 + logIndex),
  } as unknown as Extract<PolicyEvent, { kind: Body["kind"] }>;
}

/** A 2-of-3 app (Alice, Bob, Carol; ascending they are Bob < Alice < Carol) with a 100-second notice, registered in block 1. */
export function registered(noticePeriod = 100n) {
  return at(1, {
    kind: "AppRegistered",
    appId: APP,
    creator: MALLORY,
    signers: [ALICE, BOB, CAROL],
    threshold: 2,
    noticePeriod,
  });
}

/** An approval of `composeHash` in `blockNumber` with the given nonce, signed by Bob and Carol. */
export function approved(blockNumber: number, composeHash: Hex, nonce: number, noticePeriod = 100n) {
  return at(blockNumber, {
    kind: "ReleaseApproved",
    appId: APP,
    composeHash,
    metadataDigest: hash32(0xdead),
    activatesAt: timeOfBlock(blockNumber) + noticePeriod,
    nonce,
    signers: [BOB, CAROL],
  });
}

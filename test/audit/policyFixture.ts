/**
 * Policy histories built from events, for pure tests: positions increase automatically and
 * activation times follow the notice rule.
 */
import { replayPolicyEvents, type Hex, type PolicyEvent, type PolicyEventBody } from "../../core/policy";

export const hex = (byte: number, length: number): Hex => `0x${byte.toString(16).padStart(2, "0").repeat(length)}` as Hex;
export const APP = hex(0x0a, 20);
export const SIGNER = hex(0x11, 20);
export const KMS = hex(0x44, 20);

export interface HistoryBuilder {
  /** Appends an event in block `block` (timestamp = 1000 + 10 × block). */
  at(block: number, body: PolicyEventBody): HistoryBuilder;
  events(): PolicyEvent[];
}

export const timeOf = (block: number) => BigInt(1000 + 10 * block);

export function history(): HistoryBuilder {
  const events: PolicyEvent[] = [];
  let logIndex = 0;
  let lastBlock = -1;
  const builder: HistoryBuilder = {
    at(block, body) {
      logIndex = block === lastBlock ? logIndex + 1 : 0;
      lastBlock = block;
      events.push({ ...body, address: hex(0xee, 20), blockNumber: BigInt(block), blockTimestamp: timeOf(block), logIndex, transactionHash: hex(block, 32) } as PolicyEvent);
      return builder;
    },
    events: () => events,
  };
  return builder;
}

/** An app with one signer and a notice of 100 s; compose hash A approved at block 2 (allowed from block 12), revoked at block 30. */
export function standardHistory(): PolicyEvent[] {
  return history()
    .at(1, { kind: "GovernanceTransferred", previousGovernance: hex(0, 20), newGovernance: SIGNER })
    .at(1, { kind: "AllowedTcbStatusesChanged", mask: 0b1 })
    .at(1, { kind: "AppRegistered", appId: APP, creator: SIGNER, signers: [SIGNER], threshold: 1, noticePeriod: 100n })
    .at(1, { kind: "PlatformAllowanceChanged", platformHash: hex(0xb1, 32), allowed: true })
    .at(1, { kind: "KmsMeasurementAllowanceChanged", measurement: hex(0xc1, 32), allowed: true })
    .at(1, { kind: "KmsIdentityRegistered", kms: KMS, quoteHash: hex(0xd1, 32), measurement: hex(0xc1, 32) })
    .at(2, { kind: "ReleaseApproved", appId: APP, composeHash: hex(0xa1, 32), metadataDigest: hex(0, 32), activatesAt: timeOf(2) + 100n, nonce: 0, signers: [SIGNER] })
    .at(20, { kind: "ReleaseApproved", appId: APP, composeHash: hex(0xa2, 32), metadataDigest: hex(0, 32), activatesAt: timeOf(20) + 100n, nonce: 0, signers: [SIGNER] })
    .at(30, { kind: "ReleaseRevoked", appId: APP, composeHash: hex(0xa1, 32), revoker: SIGNER, revokedAt: timeOf(30) })
    .at(40, { kind: "PlatformAllowanceChanged", platformHash: hex(0xb1, 32), allowed: false })
    .events();
}

export const standardState = () => replayPolicyEvents(standardHistory());

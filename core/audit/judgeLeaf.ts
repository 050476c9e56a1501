/**
 * Re-evaluates one release-log leaf against the policy that held at its policy block
 * (DESIGN.md "Audit"; the KMS's own checks are docs/protocol.md steps 5 and 6). Every finding
 * here is evidence of KMS misbehaviour: the KMS signed, into its own append-only log, that it
 * released a key (or its root secret) on a decision the chain did not allow.
 */
import { TCB_STATUS_BITS } from "../contracts/typedData";
import { approvalAt, findApp, isPlatformAllowed, isReleaseAllowedAt, type Hex, type PolicyState } from "../policy";
import type { ReleaseLeaf } from "../releaseLog";
import { finding, type Finding } from "./findings";

export interface PolicyBlockFacts {
  readonly number: number;
  /** The leaf's claimed block hash. */
  readonly claimedHash: Hex;
  /** The chain's block at that number, or null when the chain has not reached it. */
  readonly canonical: { readonly hash: Hex; readonly timestamp: bigint } | null;
}

export interface LeafJudgeContext {
  readonly chainId: number;
  /** Lowercase. */
  readonly appRegistry: Hex;
  /** The identity whose log holds the leaf, lowercase. */
  readonly kms: Hex;
  /** The state rebuilt to the policy block or later (release history keeps its times). */
  readonly history: PolicyState;
  /** PlatformPolicy's state at the end of the policy block; null when the block is unknown. */
  readonly platformAtBlock: PolicyState | null;
  readonly policyBlock: PolicyBlockFacts;
}

export type ComposeRefusalReason = "unknown-app" | "not-approved" | "not-yet-active" | "revoked";

function composeRefusal(context: LeafJudgeContext, appId: Hex, composeHash: Hex, timestamp: bigint): ComposeRefusalReason {
  const app = findApp(context.history, appId);
  if (!app || app.registeredAt.blockTimestamp > timestamp) return "unknown-app";
  const approval = approvalAt(context.history, appId, composeHash, timestamp);
  if (!approval) return "not-approved";
  if (approval.activatesAt > timestamp) return "not-yet-active";
  return "revoked";
}

function judgeRelease(context: LeafJudgeContext, leaf: ReleaseLeaf, timestamp: bigint, evidence: Record<string, unknown>): Finding[] {
  if (leaf.kind !== "key-release") return [];
  const appId = leaf.appId as Hex;
  const composeHash = `0x${leaf.composeHash}` as Hex;
  if (isReleaseAllowedAt(context.history, appId, composeHash, timestamp)) return [];
  const reason = composeRefusal(context, appId, composeHash, timestamp);
  const approval = approvalAt(context.history, appId, composeHash, timestamp);
  return [
    finding("LEAF_COMPOSE_HASH_NOT_ALLOWED", `compose hash ${composeHash} was not allowed for app ${appId} at block ${context.policyBlock.number} (${reason})`, {
      ...evidence,
      reason,
      approval: approval
        ? {
            blockNumber: Number(approval.blockNumber),
            transactionHash: approval.transactionHash,
            activatesAt: Number(approval.activatesAt),
            revokedAt: approval.revocation ? Number(approval.revocation.revokedAt) : null,
          }
        : null,
    }),
  ];
}

function judgePlatform(platform: PolicyState, leaf: ReleaseLeaf, blockNumber: number, evidence: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  const kmsIdentity = platform.platform.kmsIdentities.get(leaf.kms as Hex);
  if (!kmsIdentity?.active) {
    findings.push(finding("LEAF_KMS_NOT_REGISTERED", `KMS ${leaf.kms} was not a registered identity at block ${blockNumber}`, evidence));
  }
  const platformHash = `0x${leaf.platformHash}` as Hex;
  if (!platform.platform.allowedPlatforms.has(platformHash)) {
    findings.push(finding("LEAF_PLATFORM_NOT_ALLOWED", `platform ${platformHash} was not allowed at block ${blockNumber}`, evidence));
  } else {
    const bit = leaf.tcbStatus === "Revoked" ? undefined : TCB_STATUS_BITS[leaf.tcbStatus];
    if (bit === undefined || !isPlatformAllowed(platform, platformHash, bit)) {
      findings.push(
        finding("LEAF_TCB_STATUS_NOT_ALLOWED", `TCB status ${leaf.tcbStatus} was not accepted at block ${blockNumber}`, {
          ...evidence,
          allowedTcbStatuses: platform.platform.allowedTcbStatuses,
        }),
      );
    }
  }
  if (leaf.kind === "kms-onboarding" && !platform.platform.allowedKmsMeasurements.has(`0x${leaf.kmsMeasurement}` as Hex)) {
    findings.push(
      finding("LEAF_KMS_MEASUREMENT_NOT_ALLOWED", `KMS measurement 0x${leaf.kmsMeasurement} was not allowed at block ${blockNumber}`, evidence),
    );
  }
  return findings;
}

function leafEvidence(index: number, leaf: ReleaseLeaf, context: LeafJudgeContext): Record<string, unknown> {
  return {
    leafIndex: index,
    kind: leaf.kind,
    kms: leaf.kms,
    ...(leaf.kind === "key-release"
      ? { appId: leaf.appId, composeHash: leaf.composeHash, instanceId: leaf.instanceId }
      : { newKms: leaf.newKms, kmsMeasurement: leaf.kmsMeasurement }),
    platformHash: leaf.platformHash,
    tcbStatus: leaf.tcbStatus,
    quoteSha256: leaf.quoteSha256,
    time: leaf.time,
    policyBlock: { number: context.policyBlock.number, hash: context.policyBlock.claimedHash },
    canonicalBlockHash: context.policyBlock.canonical?.hash ?? null,
    blockTimestamp: context.policyBlock.canonical ? Number(context.policyBlock.canonical.timestamp) : null,
  };
}

/** Every rule the leaf's decision broke at its policy block; empty when the policy allowed it. */
export function judgeLeaf(index: number, leaf: ReleaseLeaf, context: LeafJudgeContext): Finding[] {
  const evidence = leafEvidence(index, leaf, context);
  const findings: Finding[] = [];
  if (leaf.chainId !== context.chainId || leaf.appRegistry !== context.appRegistry) {
    findings.push(finding("LEAF_CHAIN_MISMATCH", `leaf ${index} names chain ${leaf.chainId} / ${leaf.appRegistry}`, evidence));
  }
  if (leaf.kms !== context.kms) {
    findings.push(finding("LEAF_KMS_MISMATCH", `leaf ${index} names KMS ${leaf.kms}, but the log is ${context.kms}'s`, evidence));
  }
  const { canonical, number, claimedHash } = context.policyBlock;
  if (!canonical || !context.platformAtBlock) {
    findings.push(finding("LEAF_POLICY_BLOCK_UNKNOWN", `leaf ${index}'s policy block ${number} is not on the chain`, evidence));
    return findings;
  }
  if (canonical.hash !== claimedHash) {
    findings.push(
      finding("LEAF_POLICY_BLOCK_NOT_CANONICAL", `leaf ${index}'s policy block ${number} has hash ${claimedHash}, the chain's is ${canonical.hash}`, evidence),
    );
  }
  findings.push(...judgePlatform(context.platformAtBlock, leaf, number, evidence));
  findings.push(...judgeRelease(context, leaf, canonical.timestamp, evidence));
  return findings;
}

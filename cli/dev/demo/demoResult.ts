import type { Address, Hex } from "viem";
import type { ServedCounts, SocialEndpoint } from "../../../examples/toy-social-api/server";
import type { BootRefusal } from "./appVm";

/**
 * What the demo did and saw, for people (`--json`) and for test/e2e/demo.test.ts. Keys never
 * appear here: only whether two of them were equal.
 */
export interface DemoBuildSummary {
  name: string;
  composeFile: string;
  composeHash: Hex;
  endpoints: SocialEndpoint[];
}

export interface DemoResult {
  appId: Hex;
  maintainers: Array<{ name: string; address: Address }>;
  threshold: number;
  noticePeriodSeconds: number;
  approvedBuild: DemoBuildSummary;
  unapprovedBuild: DemoBuildSummary;
  registration: { transactionHash: Hex; blockNumber: number };
  release: {
    signatureFiles: string[];
    approvers: Address[];
    submitter: Address;
    transactionHash: Hex;
    blockNumber: number;
    activatesAt: number;
  };
  /** The approved build booted before its notice period ended. */
  beforeNoticePeriod: BootRefusal;
  /** The chain clock after `evm_increaseTime`, at the block that carries it. */
  timeAdvanced: { seconds: number; blockNumber: number; blockTimestamp: number };
  firstBoot: {
    instanceId: Hex;
    kms: Address;
    logIndex: number;
    treeSize: number;
    sealed: Array<{ endpoint: SocialEndpoint; records: number; file: string }>;
  };
  restart: { logIndex: number; sameDiskKey: boolean; recordsOpened: number };
  unapprovedBoot: BootRefusal;
  revocation: { revoker: Address; transactionHash: Hex; blockNumber: number; kmsPolicyBlock: number };
  afterRevocation: BootRefusal;
  audit: {
    period: { fromBlock: number; toBlock: number };
    log: {
      ok: boolean;
      kms: Hex;
      treeSize: number;
      anchoredTreeSizes: number[];
      leavesJudged: number;
      findings: string[];
      misbehaviour: string[];
    };
    report: {
      ok: boolean;
      composeHashes: Array<{ composeHash: Hex; allowedInPeriod: boolean; keyReleases: number; distinctInstances: number }>;
      keyReleases: number;
      keyReleasesNotAllowed: number;
    };
  };
  indexer: {
    auditStatus: string;
    reasons: string[];
    syncedBlock: number;
    mirroredTreeSize: number;
    leavesJudged: number;
    unanchoredEntries: number | null;
    report: {
      composeHashes: Array<{ composeHash: Hex; allowedInPeriod: boolean; keyReleases: number; distinctInstances: number }>;
      keyReleasesNotAllowed: number;
    };
  };
  socialApiServed: ServedCounts;
  durationMs: number;
}

/**
 * The auditor's question, answered for one app and one period (DESIGN.md "Who uses it"): which
 * code could have held this app's keys between two moments, and how many instances got them.
 * - A compose hash is *allowed in the period* when one of its approvals was active (activated and
 *   not yet revoked) at some moment of [from, to].
 * - A key release counts in the period when its leaf's `time` is in [from, to].
 * The state comes from the chain (replay); the key releases from a verified release log.
 */
import { isReleaseAllowedAt, type Hex, type PolicyState } from "../policy";

export interface KeyReleaseRecord {
  readonly leafIndex: number;
  readonly kms: Hex;
  /** The leaf's `time` (unix seconds). */
  readonly time: number;
  readonly appId: Hex;
  /** 0x-prefixed, lowercase. */
  readonly composeHash: Hex;
  readonly instanceId: string;
  readonly policyBlock: number;
  /** The policy block's timestamp, when known: the decision is checked at it. */
  readonly policyBlockTime?: number;
}

/** Both ends included, unix seconds. */
export interface ReportPeriod {
  readonly from: number;
  readonly to: number;
}

export interface AllowedInterval {
  /** When the approval activated. */
  readonly from: number;
  /** When it was revoked, or null while it stands. */
  readonly until: number | null;
  readonly approvedInBlock: number;
  readonly approvedAt: number;
  readonly approvalTransaction: Hex;
  readonly metadataDigest: Hex;
  readonly approvers: readonly Hex[];
  readonly revokedInBlock: number | null;
  readonly revoker: Hex | null;
}

export interface ComposeHashReport {
  readonly composeHash: Hex;
  readonly allowedInPeriod: boolean;
  /** Every approval with a non-empty active window, oldest first. */
  readonly intervals: readonly AllowedInterval[];
  readonly keyReleases: number;
  readonly distinctInstances: number;
  readonly firstKeyRelease: number | null;
  readonly lastKeyRelease: number | null;
}

export interface PeriodReport {
  readonly appId: Hex;
  readonly period: ReportPeriod;
  readonly composeHashes: readonly ComposeHashReport[];
  readonly totals: {
    readonly composeHashesAllowed: number;
    readonly composeHashesWithKeys: number;
    readonly keyReleases: number;
    readonly distinctInstances: number;
  };
  /** Key releases in the period whose compose hash was not allowed at the policy block: KMS misbehaviour. */
  readonly keyReleasesNotAllowed: readonly KeyReleaseRecord[];
}

function intervalsOf(state: PolicyState, appId: Hex, composeHash: Hex): AllowedInterval[] {
  const approvals = state.apps.get(appId)?.releases.get(composeHash)?.approvals ?? [];
  return approvals
    .filter((approval) => !approval.revocation || approval.revocation.revokedAt > approval.activatesAt)
    .map((approval) => ({
      from: Number(approval.activatesAt),
      until: approval.revocation ? Number(approval.revocation.revokedAt) : null,
      approvedInBlock: Number(approval.blockNumber),
      approvedAt: Number(approval.blockTimestamp),
      approvalTransaction: approval.transactionHash,
      metadataDigest: approval.metadataDigest,
      approvers: approval.signers,
      revokedInBlock: approval.revocation ? Number(approval.revocation.blockNumber) : null,
      revoker: approval.revocation?.revoker ?? null,
    }));
}

function overlaps(interval: AllowedInterval, period: ReportPeriod): boolean {
  return interval.from <= period.to && (interval.until === null || interval.until > period.from);
}

/** The period report of `appId`; `keyReleases` may hold any app's and any time's records. */
export function buildPeriodReport(
  state: PolicyState,
  appId: Hex,
  period: ReportPeriod,
  keyReleases: readonly KeyReleaseRecord[],
): PeriodReport {
  const app = appId.toLowerCase() as Hex;
  const inPeriod = keyReleases.filter((record) => record.appId === app && record.time >= period.from && record.time <= period.to);
  const byHash = new Map<Hex, KeyReleaseRecord[]>();
  for (const record of inPeriod) {
    const list = byHash.get(record.composeHash) ?? [];
    list.push(record);
    byHash.set(record.composeHash, list);
  }
  const hashes = new Set<Hex>([...(state.apps.get(app)?.releases.keys() ?? []), ...byHash.keys()]);
  const composeHashes: ComposeHashReport[] = [];
  for (const composeHash of hashes) {
    const intervals = intervalsOf(state, app, composeHash);
    const records = byHash.get(composeHash) ?? [];
    const allowedInPeriod = intervals.some((interval) => overlaps(interval, period));
    if (!allowedInPeriod && records.length === 0) continue;
    const times = records.map((record) => record.time);
    composeHashes.push({
      composeHash,
      allowedInPeriod,
      intervals,
      keyReleases: records.length,
      distinctInstances: new Set(records.map((record) => record.instanceId)).size,
      firstKeyRelease: times.length ? times.reduce((a, b) => Math.min(a, b)) : null,
      lastKeyRelease: times.length ? times.reduce((a, b) => Math.max(a, b)) : null,
    });
  }
  const notAllowed = inPeriod.filter(
    (record) => !isReleaseAllowedAt(state, app, record.composeHash, BigInt(record.policyBlockTime ?? record.time)),
  );
  return {
    appId: app,
    period,
    composeHashes,
    totals: {
      composeHashesAllowed: composeHashes.filter((entry) => entry.allowedInPeriod).length,
      composeHashesWithKeys: composeHashes.filter((entry) => entry.keyReleases > 0).length,
      keyReleases: inPeriod.length,
      distinctInstances: new Set(inPeriod.map((record) => record.instanceId)).size,
    },
    keyReleasesNotAllowed: notAllowed,
  };
}

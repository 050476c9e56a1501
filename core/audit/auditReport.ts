/**
 * `audit report`: the period report of one app from the chain and, when a release log is given,
 * from that log after `audit log` has verified it. Key releases are counted only from a log the
 * audit checked; its findings travel with the report.
 */
import type { PublicClient } from "viem";
import type { Deployment } from "../chain/deployment";
import type { Hex, PolicyEvent, PolicyState } from "../policy";
import { auditReleaseLog, type ReleaseLogAudit } from "./auditReleaseLog";
import { AuditError } from "./errors";
import type { KmsLogClient } from "./kmsLogClient";
import type { PeriodBound } from "./periodBound";
import { buildPeriodReport, type PeriodReport, type ReportPeriod } from "./periodReport";
import { replayPolicyHistory } from "./replayHistory";
import { latestBlockNumber } from "./rpc/connect";
import { fetchPolicyHistory, rpcUnavailable } from "./rpc/fetchPolicyHistory";
import { getBlockHeader, getBlockHeaders } from "./rpc/getBlockHeaders";

export interface AuditReportParameters {
  readonly deployment: Deployment;
  readonly appId: string;
  readonly from: PeriodBound;
  readonly to: PeriodBound;
  /** The release log to count key releases from; without it the report has no key releases. */
  readonly log?: KmsLogClient;
  readonly onProgress?: (message: string) => void;
}

export interface AuditReport {
  readonly report: PeriodReport;
  readonly period: ReportPeriod & { readonly fromBlock: number | null; readonly toBlock: number | null };
  readonly chainHead: number;
  /** The verification of the log the key releases come from; null without a log. */
  readonly logAudit: ReleaseLogAudit | null;
}

const APP_ID = /^0x[0-9a-fA-F]{40}$/;

async function boundTime(client: Pick<PublicClient, "request">, bound: PeriodBound): Promise<number> {
  if (bound.kind === "time") return bound.time;
  const header = await getBlockHeader(client, bound.block).catch((error: unknown) => {
    throw rpcUnavailable(`cannot read block ${bound.block}`, error);
  });
  if (!header) throw new AuditError("AUDIT_PERIOD_INVALID", `block ${bound.block} is not on the chain yet`);
  return Number(header.timestamp);
}

/** Reads the chain (and log) and builds the report. Throws AUDIT_APP_UNKNOWN, AUDIT_PERIOD_INVALID. */
export async function auditReport(client: PublicClient, parameters: AuditReportParameters): Promise<AuditReport> {
  const { deployment, onProgress } = parameters;
  if (!APP_ID.test(parameters.appId)) throw new AuditError("AUDIT_APP_UNKNOWN", `app id ${parameters.appId} is not 20 bytes of hex`);
  const appId = parameters.appId.toLowerCase() as Hex;
  const from = await boundTime(client, parameters.from);
  const to = await boundTime(client, parameters.to);
  if (to < from) throw new AuditError("AUDIT_PERIOD_INVALID", `the period ends (${to}) before it starts (${from})`);

  // The tree head first, then the chain: every policy block the head covers is then on the chain.
  const head = parameters.log ? await parameters.log.checkpoint() : undefined;
  const chainHead = await latestBlockNumber(client);
  onProgress?.(`reading policy events up to block ${chainHead}`);
  const events: PolicyEvent[] = await fetchPolicyHistory(client, { deployment, toBlock: chainHead });
  const state: PolicyState = replayPolicyHistory(events);
  if (!state.apps.has(appId)) throw new AuditError("AUDIT_APP_UNKNOWN", `app ${appId} is not registered on chain ${deployment.chainId}`);

  let logAudit: ReleaseLogAudit | null = null;
  let keyReleases: PeriodReport["keyReleasesNotAllowed"] = [];
  if (parameters.log && head) {
    const readHeaders = (numbers: readonly number[]) => getBlockHeaders(client, numbers);
    logAudit = await auditReleaseLog({ client: parameters.log, deployment, head, events, history: state, chainHead, readHeaders, onProgress });
    const blocks = await readHeaders(logAudit.keyReleases.map((record) => record.policyBlock).filter((number) => number <= chainHead));
    keyReleases = logAudit.keyReleases.map((record) => {
      const header = blocks.get(record.policyBlock);
      return header ? { ...record, policyBlockTime: Number(header.timestamp) } : record;
    });
  }
  const period = {
    from,
    to,
    fromBlock: parameters.from.kind === "block" ? parameters.from.block : null,
    toBlock: parameters.to.kind === "block" ? parameters.to.block : null,
  };
  return { report: buildPeriodReport(state, appId, { from, to }, keyReleases), period, chainHead, logAudit };
}

import type { Hex } from "viem";
import { auditLog, auditReport, connectChain, createKmsLogClient, type PeriodReport } from "../../../core/audit";
import { deploymentStartBlock } from "../../../core/chain/deployment";
import { shortHex } from "../narrator";
import type { DevStack } from "../startDevStack";
import type { DemoBuild } from "./demoBuilds";
import { expectOutcome } from "./demoError";
import type { DemoResult } from "./demoResult";
import { checkInterrupted, type DemoContext } from "./demoSteps";
import { getJson, waitFor } from "./waitFor";

/**
 * The auditor's side of the demo. `auditChainAndLog` runs exactly what `basekms audit log` and
 * `basekms audit report` run (core/audit), from the RPC, the deployment file and the KMS's
 * public log API alone. `readIndexerView` asks the indexer's HTTP API, which backs its web page.
 */
function composeHashRows(report: Pick<PeriodReport, "composeHashes">): DemoResult["audit"]["report"]["composeHashes"] {
  return report.composeHashes.map((entry) => ({
    composeHash: entry.composeHash,
    allowedInPeriod: entry.allowedInPeriod,
    keyReleases: entry.keyReleases,
    distinctInstances: entry.distinctInstances,
  }));
}

export async function auditChainAndLog(stack: DevStack, appId: Hex, period: { fromBlock: number; toBlock: number }): Promise<DemoResult["audit"]> {
  const client = await connectChain(stack.rpcUrl, stack.deployment);
  const log = createKmsLogClient({ baseUrl: stack.kms.url });
  const logAudit = await auditLog(client, { deployment: stack.deployment, log, checkInclusionProofs: true });
  const { report, logAudit: reportLog } = await auditReport(client, {
    deployment: stack.deployment,
    appId,
    from: { kind: "block", block: period.fromBlock },
    to: { kind: "block", block: period.toBlock },
    log,
  });
  return {
    period,
    log: {
      ok: logAudit.findings.length === 0,
      kms: logAudit.kms,
      treeSize: logAudit.treeSize,
      anchoredTreeSizes: logAudit.anchored.map((checkpoint) => checkpoint.treeSize),
      leavesJudged: logAudit.leavesJudged,
      findings: logAudit.findings.map((entry) => `${entry.code}: ${entry.message}`),
      misbehaviour: logAudit.misbehaviour.map((entry) => `${entry.code}: ${entry.message}`),
    },
    report: {
      ok: reportLog !== null && reportLog.findings.length === 0 && report.keyReleasesNotAllowed.length === 0,
      composeHashes: composeHashRows(report),
      keyReleases: report.totals.keyReleases,
      keyReleasesNotAllowed: report.keyReleasesNotAllowed.length,
    },
  };
}

interface IndexerAudit {
  status: string;
  reasons: Array<{ code: string; message: string }>;
  syncedBlock: number;
  log: { treeSize: number; leavesJudged: number; unanchoredEntries: number | null };
}

/** Waits until the indexer has synced to `syncedAtLeast` and mirrored and judged `treeSize` leaves, then reads its audit status and report. */
export async function readIndexerView(
  stack: DevStack,
  parameters: { appId: Hex; treeSize: number; syncedAtLeast: number; period: { fromBlock: number; toBlock: number }; signal?: AbortSignal },
): Promise<DemoResult["indexer"]> {
  const audit = await waitFor(
    `the indexer to sync to block ${parameters.syncedAtLeast} and judge ${parameters.treeSize} mirrored leaves`,
    async () => {
      const status = await getJson<IndexerAudit>(`${stack.indexerUrl}/v1/audit`);
      const caughtUp = status.syncedBlock >= parameters.syncedAtLeast && status.log.treeSize >= parameters.treeSize && status.log.leavesJudged >= parameters.treeSize;
      return caughtUp && status.log.unanchoredEntries === 0 ? status : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 100, ...(parameters.signal ? { signal: parameters.signal } : {}) },
  );
  const { fromBlock, toBlock } = parameters.period;
  const report = await getJson<PeriodReport>(`${stack.indexerUrl}/v1/apps/${parameters.appId}/report?from=${fromBlock}&to=${toBlock}`);
  return {
    auditStatus: audit.status,
    reasons: audit.reasons.map((reason) => `${reason.code}: ${reason.message}`),
    syncedBlock: audit.syncedBlock,
    mirroredTreeSize: audit.log.treeSize,
    leavesJudged: audit.log.leavesJudged,
    unanchoredEntries: audit.log.unanchoredEntries,
    report: { composeHashes: composeHashRows(report), keyReleasesNotAllowed: report.keyReleasesNotAllowed.length },
  };
}

export async function auditTheDemo(context: DemoContext, appId: Hex, builds: { approved: DemoBuild; unapproved: DemoBuild }): Promise<Pick<DemoResult, "audit" | "indexer">> {
  const { stack, narrate, signal } = context;
  const treeSize = stack.kms.log.size();
  narrate.step(`The KMS anchors its release log on chain (${treeSize} leaves: one per key it released)`);
  const anchored = await waitFor(
    "the KMS to anchor its latest checkpoint",
    async () => {
      const health = await getJson<{ log: { size: number; unanchoredEntries: number; latestAnchored: { treeSize: number; anchoredTx: string } | null } }>(`${stack.kms.url}/health`);
      return health.log.unanchoredEntries === 0 && health.log.latestAnchored?.treeSize === health.log.size ? health.log.latestAnchored : undefined;
    },
    signal ? { signal } : {},
  );
  const head = await stack.chain.mine(1);
  narrate.detail(`checkpoint of tree size ${anchored.treeSize} anchored in tx ${shortHex(anchored.anchoredTx)}`);

  const period = { fromBlock: deploymentStartBlock(stack.deployment), toBlock: Number(head) };
  narrate.step(`An auditor checks it all from the chain and the log alone  (basekms audit log, basekms audit report)`);
  const audit = await auditChainAndLog(stack, appId, period);
  expectOutcome(audit.log.ok && audit.log.misbehaviour.length === 0, `audit log found: ${audit.log.findings.join("; ") || "misbehaviour"}`);
  expectOutcome(audit.log.treeSize === treeSize && audit.log.leavesJudged === treeSize, `audit log judged ${audit.log.leavesJudged} of ${treeSize} leaves`);
  narrate.check(
    `audit log: ${audit.log.treeSize} leaves, consistent with anchored checkpoint(s) ${audit.log.anchoredTreeSizes.join(", ")}; every decision allowed at its policy block; 0 findings`,
  );
  expectOnlyApprovedGotKeys(audit.report, builds, treeSize, "audit report");
  expectOutcome(audit.report.ok, "audit report flagged the log or a key release");
  const row = audit.report.composeHashes[0]!;
  narrate.check(
    `audit report, blocks ${period.fromBlock}-${period.toBlock}: only ${shortHex(row.composeHash)} (watch_history) received the key: ${row.keyReleases} releases, ${row.distinctInstances} instance`,
  );
  narrate.check(`${shortHex(builds.unapproved.composeHash)} (direct_messages) was never allowed and never got a key`);
  checkInterrupted(signal);

  narrate.step(`The indexer's web page says the same`);
  const indexer = await readIndexerView(stack, { appId, treeSize, syncedAtLeast: period.toBlock - 1, period: { fromBlock: period.fromBlock, toBlock: period.toBlock - 1 }, ...(signal ? { signal } : {}) });
  expectOutcome(indexer.auditStatus === "green" && indexer.reasons.length === 0, `the indexer's audit status is ${indexer.auditStatus}: ${indexer.reasons.join("; ")}`);
  expectOnlyApprovedGotKeys(indexer.report, builds, treeSize, "the indexer's report");
  narrate.check(`audit status green; mirror holds ${indexer.mirroredTreeSize} verified leaves, all judged, none unanchored`);
  narrate.check(`its report lists only ${shortHex(builds.approved.composeHash)}, with ${indexer.report.composeHashes[0]!.keyReleases} key releases`);
  return { audit, indexer };
}

function expectOnlyApprovedGotKeys(
  report: { composeHashes: DemoResult["audit"]["report"]["composeHashes"]; keyReleasesNotAllowed: number },
  builds: { approved: DemoBuild; unapproved: DemoBuild },
  keyReleases: number,
  source: string,
): void {
  const [only, ...others] = report.composeHashes;
  expectOutcome(
    only !== undefined && others.length === 0 && only.composeHash === builds.approved.composeHash,
    `${source} lists ${report.composeHashes.map((entry) => entry.composeHash).join(", ") || "no compose hash"}, not only the approved one`,
  );
  expectOutcome(only.keyReleases === keyReleases && only.distinctInstances === 1 && only.allowedInPeriod, `${source}: ${only.keyReleases} key releases to ${only.distinctInstances} instances`);
  expectOutcome(report.keyReleasesNotAllowed === 0, `${source}: ${report.keyReleasesNotAllowed} key releases were not allowed at their policy block`);
}

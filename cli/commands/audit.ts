import type { Command } from "commander";
import { readDeployment, type Deployment } from "../../core/chain/deployment";
import { envOptional, parseIntegerSetting, parseUrlSetting, type Env } from "../../core/config/env";
import { UsageError } from "../../core/errors";
import {
  auditLog,
  auditReplay,
  auditReport,
  connectChain,
  createKmsLogClient,
  parsePeriodBound,
  type AuditReport,
  type Finding,
  type LogAuditResult,
  type ReplayAudit,
} from "../../core/audit";
import { EXIT_FAILED, printResult, table } from "../output";

/**
 * `basekms audit replay|log|report`: the auditor's commands. They trust only the chain (through
 * the RPC given) and Merkle proofs; never the KMS's word and never the indexer. Exit codes: 0 when
 * the audit found nothing, 1 when it found a difference or misbehaviour (or could not run), 2 on
 * a usage error. docs/auditor-guide.md walks through them.
 */
interface ChainFlags {
  rpc?: string;
  deployment?: string;
  json?: boolean;
}

const RPC_ENV = "BASEKMS_RPC_URL";
const DEPLOYMENT_ENV = "BASEKMS_DEPLOYMENT";
const KMS_ENV = "BASEKMS_KMS_URL";

function withChainFlags(command: Command): Command {
  return command
    .option("--rpc <url>", `JSON-RPC URL of the chain (default: $${RPC_ENV})`)
    .option("--deployment <file>", `deployment file, deployments/<chainId>.json (default: $${DEPLOYMENT_ENV})`)
    .option("--json", "print one JSON object");
}

async function openChain(flags: ChainFlags, env: Env): Promise<{ deployment: Deployment; client: Awaited<ReturnType<typeof connectChain>> }> {
  const rawRpc = flags.rpc ?? envOptional(env, RPC_ENV);
  if (!rawRpc) throw new UsageError("USAGE", `--rpc (or $${RPC_ENV}) is required`);
  const file = flags.deployment ?? envOptional(env, DEPLOYMENT_ENV);
  if (!file) throw new UsageError("USAGE", `--deployment (or $${DEPLOYMENT_ENV}) is required`);
  const deployment = readDeployment(file);
  return { deployment, client: await connectChain(parseUrlSetting("--rpc", rawRpc), deployment) };
}

function kmsUrl(raw: string | undefined, env: Env, required: boolean): string | undefined {
  const value = raw ?? envOptional(env, KMS_ENV);
  if (!value) {
    if (required) throw new UsageError("USAGE", `--kms (or $${KMS_ENV}) is required`);
    return undefined;
  }
  return parseUrlSetting("--kms", value);
}

/** A flag the audit cannot read is a usage error (exit 2), not an audit failure. */
function usageOf<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError("USAGE", error instanceof Error ? error.message : String(error));
  }
}

/** Progress for people: on a terminal, to stderr, never mixed into --json. */
function progressFor(flags: { json?: boolean }): ((message: string) => void) | undefined {
  if (flags.json || !process.stderr.isTTY) return undefined;
  return (message) => process.stderr.write(`\r\x1b[2K${message.slice(0, (process.stderr.columns ?? 100) - 1)}`);
}

function endProgress(flags: { json?: boolean }): void {
  if (!flags.json && process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
}

function findingLines(findings: readonly Finding[], limit = 50): string[] {
  const lines = findings.slice(0, limit).map((entry) => `  ${entry.code}: ${entry.message}`);
  if (findings.length > limit) lines.push(`  ... and ${findings.length - limit} more (use --json for all, with evidence)`);
  return lines;
}

function replayJson(audit: ReplayAudit) {
  let releases = 0;
  for (const app of audit.state.apps.values()) releases += app.releases.size;
  return {
    ok: audit.differences.length === 0,
    block: { number: audit.block.number, hash: audit.block.hash, timestamp: Number(audit.block.timestamp) },
    events: audit.events.length,
    apps: audit.state.apps.size,
    releases,
    viewChecks: audit.checks,
    differences: audit.differences,
    timingsMs: Object.fromEntries(Object.entries(audit.timings).map(([step, ms]) => [step, Math.round(ms)])),
  };
}

function logJson(audit: LogAuditResult) {
  return {
    ok: audit.findings.length === 0,
    kms: audit.kms,
    treeSize: audit.treeSize,
    rootHash: audit.rootHash,
    chainHead: audit.chainHead,
    anchoredCheckpoints: audit.anchored.map((checkpoint) => ({ treeSize: checkpoint.treeSize, blockNumber: checkpoint.blockNumber, transactionHash: checkpoint.transactionHash })),
    entriesChecked: audit.entriesChecked,
    leavesJudged: audit.leavesJudged,
    findings: audit.findings,
    misbehaviour: audit.misbehaviour,
  };
}

function reportJson(result: AuditReport) {
  const { report, period, logAudit } = result;
  return {
    ok: !logAudit || logAudit.findings.length === 0,
    appId: report.appId,
    period: { ...period, fromIso: new Date(period.from * 1000).toISOString(), toIso: new Date(period.to * 1000).toISOString() },
    chainHead: result.chainHead,
    keyReleaseSource: logAudit ? { kms: logAudit.kms, treeSize: logAudit.treeSize, rootHash: logAudit.rootHash, findings: logAudit.findings } : null,
    totals: report.totals,
    composeHashes: report.composeHashes,
    keyReleasesNotAllowed: report.keyReleasesNotAllowed,
  };
}

const iso = (seconds: number | null) => (seconds === null ? "-" : new Date(seconds * 1000).toISOString().replace(".000Z", "Z"));

function reportText(result: AuditReport): string {
  const json = reportJson(result);
  const lines = [
    table([
      ["app", json.appId],
      ["period", `${json.period.fromIso} .. ${json.period.toIso}`],
      ["compose hashes allowed", String(json.totals.composeHashesAllowed)],
      ["compose hashes with keys", result.logAudit ? String(json.totals.composeHashesWithKeys) : "unknown (no --kms)"],
      ["key releases", result.logAudit ? String(json.totals.keyReleases) : "unknown (no --kms)"],
      ["distinct instances", result.logAudit ? String(json.totals.distinctInstances) : "unknown (no --kms)"],
    ]),
    "",
    `${"compose hash".padEnd(66)}  allowed  keys  instances  active windows`,
  ];
  for (const entry of json.composeHashes) {
    const windows = entry.intervals.map((interval) => `${iso(interval.from)}..${interval.until === null ? "now" : iso(interval.until)}`).join(", ");
    lines.push(
      `${entry.composeHash.padEnd(66)}  ${(entry.allowedInPeriod ? "yes" : "NO").padEnd(7)}  ${String(entry.keyReleases).padStart(4)}  ${String(entry.distinctInstances).padStart(9)}  ${windows || "never"}`,
    );
  }
  if (json.keyReleasesNotAllowed.length > 0) lines.push("", `KMS MISBEHAVIOUR: ${json.keyReleasesNotAllowed.length} key releases for compose hashes not allowed at their policy block`);
  if (result.logAudit && result.logAudit.findings.length > 0) {
    lines.push("", `the release log failed verification (${result.logAudit.findings.length} findings):`, ...findingLines(result.logAudit.findings, 10));
  }
  return lines.join("\n");
}

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command("audit")
    .description("Audit the policy contracts and a KMS's release log, trusting only the chain and Merkle proofs");

  withChainFlags(audit.command("replay"))
    .description("Rebuild the policy state from events alone and compare it with the contracts' views at a block")
    .option("--to-block <n>", "block to audit at (default: latest)")
    .action(async (flags: ChainFlags & { toBlock?: string }) => {
      const toBlock = flags.toBlock === undefined ? undefined : parseIntegerSetting("--to-block", flags.toBlock);
      const { deployment, client } = await openChain(flags, process.env);
      const result = await auditReplay(client, { deployment, ...(toBlock === undefined ? {} : { toBlock }), onProgress: progressFor(flags) });
      endProgress(flags);
      const json = replayJson(result);
      printResult(flags, json, () =>
        [
          table([
            ["block", `${json.block.number} (${json.block.hash})`],
            ["events replayed", String(json.events)],
            ["apps / releases", `${json.apps} / ${json.releases}`],
            ["view answers compared", String(json.viewChecks)],
            ["differences", String(json.differences.length)],
            ["time (fetch, replay, views)", `${json.timingsMs.fetch} ms, ${json.timingsMs.replay} ms, ${json.timingsMs.views} ms`],
          ]),
          ...findingLines(result.differences),
          json.ok ? "OK: the state rebuilt from events equals the contracts' views" : "DIFFERENT: the events do not explain the contracts' state",
        ].join("\n"),
      );
      if (!json.ok) process.exitCode = EXIT_FAILED;
    });

  withChainFlags(audit.command("log"))
    .description("Check a KMS's release log: consistency with every anchored checkpoint, every leaf's inclusion, every leaf's decision at its policy block")
    .option("--kms <url>", `base URL of the log API: a KMS or an indexer mirror (default: $${KMS_ENV})`)
    .option("--no-inclusion-proofs", "skip fetching one inclusion proof per leaf (the rebuilt tree still covers every leaf)")
    .action(async (flags: ChainFlags & { kms?: string; inclusionProofs?: boolean }) => {
      const log = createKmsLogClient({ baseUrl: kmsUrl(flags.kms, process.env, true)! });
      const { deployment, client } = await openChain(flags, process.env);
      const result = await auditLog(client, { deployment, log, checkInclusionProofs: flags.inclusionProofs !== false, onProgress: progressFor(flags) });
      endProgress(flags);
      const json = logJson(result);
      printResult(flags, json, () =>
        [
          table([
            ["KMS", json.kms],
            ["tree head", `${json.treeSize} leaves, root ${json.rootHash}`],
            ["anchored checkpoints", json.anchoredCheckpoints.map((checkpoint) => String(checkpoint.treeSize)).join(", ") || "none"],
            ["entries checked", String(json.entriesChecked)],
            ["leaves re-evaluated", `${json.leavesJudged} (policy read up to block ${json.chainHead})`],
            ["findings", String(json.findings.length)],
            ["KMS misbehaviour", String(json.misbehaviour.length)],
          ]),
          ...findingLines(result.findings),
          json.ok ? "OK: the log is consistent with the chain and every decision was allowed" : "FAILED: see the findings (--json gives the evidence)",
        ].join("\n"),
      );
      if (!json.ok) process.exitCode = EXIT_FAILED;
    });

  withChainFlags(audit.command("report"))
    .description("Which compose hashes were allowed for an app in a period, which received keys, and how many instances")
    .requiredOption("--app <id>", "app id (0x + 20 bytes)")
    .requiredOption("--from <date|block>", "start: a block number or a UTC date (YYYY-MM-DD, or ISO 8601)")
    .requiredOption("--to <date|block>", "end, included: a block number or a UTC date (a bare date covers the whole day)")
    .option("--kms <url>", `release log to count key releases from, verified first (default: $${KMS_ENV}; without it, no key releases)`)
    .action(async (flags: ChainFlags & { app: string; from: string; to: string; kms?: string }) => {
      const from = usageOf(() => parsePeriodBound(flags.from, "from"));
      const to = usageOf(() => parsePeriodBound(flags.to, "to"));
      const url = kmsUrl(flags.kms, process.env, false);
      const { deployment, client } = await openChain(flags, process.env);
      const result = await auditReport(client, {
        deployment,
        appId: flags.app,
        from,
        to,
        ...(url ? { log: createKmsLogClient({ baseUrl: url }) } : {}),
        onProgress: progressFor(flags),
      });
      endProgress(flags);
      const json = reportJson(result);
      printResult(flags, json, () => reportText(result));
      if (!json.ok || json.keyReleasesNotAllowed.length > 0) process.exitCode = EXIT_FAILED;
    });
}

import fs from "node:fs";
import { Command, Option } from "commander";
import { toHex, toHex0x } from "../../core/bytes";
import { UsageError } from "../../core/errors";
import { parseIntegerSetting, parseUrlSetting } from "../../core/config/env";
import { readDeployment } from "../../core/chain/deployment";
import {
  AgentError,
  bootAgent,
  buildAgentHealthApp,
  connectKmsChain,
  createSimulatorProvider,
  createTsmProvider,
  DEFAULT_EVENT_LOG_FILE,
  DEFAULT_RETRY_POLICY,
  generateInstanceId,
  parseAppId,
  parseInstanceId,
  serveAgentHealth,
  SIMULATOR_WARNING,
  stderrLog,
  writeKeyFile,
  writeKeyStream,
  withRetry,
  type BootAgentResult,
  type MeasurementProvider,
} from "../../agent";
import { EXIT_FAILED, EXIT_OK, printResult, table } from "../output";

interface BootOptions {
  kms: string;
  appCompose: string;
  appId: string;
  instanceId?: string;
  out: string;
  quoteProvider: "tsm" | "simulator";
  rpc: string;
  deployment: string;
  eventLogFile?: string;
  maxAttempts: string;
  json?: boolean;
}

interface HealthOptions {
  port: string;
  host: string;
  quoteProvider: "tsm" | "simulator";
  eventLogFile?: string;
}

const quoteProviderOption = (): Option =>
  new Option("--quote-provider <provider>", "tsm: a real TDX guest (sysfs + configfs-tsm); simulator: SANDBOX ONLY")
    .choices(["tsm", "simulator"])
    .default("tsm");

const eventLogFileOption = (): Option =>
  new Option("--event-log-file <file>", `this boot's RTMR3 event log (tsm default: ${DEFAULT_EVENT_LOG_FILE}; simulator: none)`);

export function registerAgentCommands(program: Command): void {
  const agent = program.command("agent").description("The boot-time agent inside an app's TDX VM");
  agent
    .command("boot")
    .description(
      "Measure the app into RTMR3, prove it with a fresh quote, get the app's sealed disk key from the KMS, verify the " +
        "receipt (signer registered on chain) and write the key. Exit 0 with the key, 1 refused or failed, 2 usage error.",
    )
    .requiredOption("--kms <url>", "KMS base URL")
    .requiredOption("--app-compose <file>", "app-compose.json (hashed as SHA-256 of its JCS form)")
    .requiredOption("--app-id <id>", "app id: 0x + 20 bytes hex")
    .option("--instance-id <hex>", "instance id, hex (0x alone: none); default: a new random 20-byte id, printed")
    .option("--out <file|->", "write the raw 32-byte key to <file> (mode 0600) or to stdout with -", "-")
    .addOption(quoteProviderOption())
    .requiredOption("--rpc <url>", "RPC of the chain that holds PlatformPolicy (the KMS identity is checked there)")
    .requiredOption("--deployment <file>", "deployments/<chainId>.json naming the contracts")
    .addOption(eventLogFileOption())
    .option("--max-attempts <n>", "key request attempts on transient failures", "8")
    .option("--json", "print one JSON object (needs --out <file>)")
    .action(async (options: BootOptions) => {
      await runBoot(options);
    });
  agent
    .command("health")
    .description("Serve this agent's evidence at GET /health: a fresh quote (?nonce=hex), its measurements and taint reasons")
    .option("--port <port>", "listen port", "8090")
    .option("--host <host>", "listen address", "127.0.0.1")
    .addOption(quoteProviderOption())
    .addOption(eventLogFileOption())
    .action(async (options: HealthOptions) => {
      await runHealth(options);
    });
}

async function runBoot(options: BootOptions): Promise<void> {
  if (options.json && options.out === "-") throw new UsageError("USAGE", "--json prints to stdout, so it needs --out <file> for the key");
  const log = stderrLog("basekms agent boot");
  const appId = usage(() => parseAppId(options.appId));
  const kmsUrl = parseUrlSetting("--kms", options.kms);
  const rpcUrl = parseUrlSetting("--rpc", options.rpc);
  const maxAttempts = parseIntegerSetting("--max-attempts", options.maxAttempts, { min: 1, max: 100 });
  const appCompose = readText(options.appCompose, "--app-compose");
  const deployment = readDeployment(options.deployment);
  let instanceId: Uint8Array;
  if (options.instanceId === undefined) {
    instanceId = generateInstanceId();
    log.warn(`no --instance-id: generated ${toHex0x(instanceId)}. The disk key depends on it: pass it on every boot of this instance.`);
  } else {
    instanceId = usage(() => parseInstanceId(options.instanceId as string));
  }
  let result: BootAgentResult;
  try {
    const provider = measurementProvider(options);
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts };
    const chain = await withRetry(() => connectKmsChain({ rpcUrl, deployment }), {
      policy,
      what: "connecting to the RPC",
      onRetry: (notice) => log.warn(`RPC attempt ${notice.attempt}/${notice.maxAttempts}: ${notice.error.message}; retrying in ${(notice.delayMs / 1000).toFixed(1)} s`),
    });
    result = await bootAgent({ kmsUrl, appCompose, appId, instanceId, provider, chain, retry: policy, log });
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    if (error.code === "INPUT_INVALID") throw new UsageError("USAGE", error.message, { cause: error });
    reportFailure(options, error);
    return;
  }
  try {
    if (options.out === "-") await writeKeyStream(process.stdout, result.diskKey);
    else writeKeyFile(options.out, result.diskKey);
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    reportFailure(options, error);
    return;
  } finally {
    result.diskKey.fill(0);
  }
  reportSuccess(options, result);
}

function reportSuccess(options: BootOptions, result: BootAgentResult): void {
  const summary = {
    ok: true,
    out: options.out,
    appId: toHex0x(result.identity.appId),
    instanceId: toHex(result.identity.instanceId),
    composeHash: toHex(result.identity.composeHash),
    kms: result.kms,
    logIndex: result.receipt.logIndex,
    leafHash: toHex(result.receipt.leafHash),
    treeSize: result.receipt.treeSize,
    rootHash: toHex(result.receipt.rootHash),
    policyBlock: result.receipt.policyBlock,
    attempts: result.attempts,
  };
  const human = (): string =>
    table([
      ["key written to", options.out === "-" ? "stdout" : options.out],
      ["app id", summary.appId],
      ["instance id", summary.instanceId || "(empty)"],
      ["compose hash", summary.composeHash],
      ["KMS identity", summary.kms],
      ["log entry", `${summary.logIndex} of ${summary.treeSize} (leaf ${summary.leafHash})`],
      ["policy block", `${summary.policyBlock.number} ${summary.policyBlock.hash}`],
      ["attempts", String(summary.attempts)],
    ]);
  // With --out - stdout carries the key, so people read the summary on stderr.
  if (options.out === "-") process.stderr.write(`${human()}\n`);
  else printResult(options, summary, human);
  process.exitCode = EXIT_OK;
}

function reportFailure(options: BootOptions, error: AgentError): void {
  const report = {
    ok: false,
    errorCode: error.code,
    ...(error.kmsErrorCode ? { kmsErrorCode: error.kmsErrorCode } : {}),
    ...(error.kmsReason ? { kmsReason: error.kmsReason } : {}),
    message: error.message,
  };
  if (options.json) printResult(options, report, () => "");
  else process.stderr.write(`basekms agent boot: ${error.code}${kmsCodeAndReason(error)}: ${error.message}\n`);
  process.exitCode = EXIT_FAILED;
}

/** ` (COMPOSE_HASH_NOT_ALLOWED, reason: revoked)`, ` (NONCE_EXPIRED)`, or nothing. */
function kmsCodeAndReason(error: AgentError): string {
  const parts = [error.kmsErrorCode, error.kmsReason ? `reason: ${error.kmsReason}` : undefined].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

async function runHealth(options: HealthOptions): Promise<void> {
  const port = parseIntegerSetting("--port", options.port, { min: 0, max: 65535 });
  const provider = usage(() => measurementProvider(options));
  if (provider.taint.length > 0) process.stderr.write(`basekms agent health: WARNING: ${SIMULATOR_WARNING}\n`);
  const app = buildAgentHealthApp({ provider, logger: { level: "info" } });
  const address = await serveAgentHealth(app, options.host, port);
  process.stderr.write(`basekms agent health: serving evidence at ${address}/health (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await app.close();
}

function measurementProvider(options: { quoteProvider: "tsm" | "simulator"; eventLogFile?: string }): MeasurementProvider {
  const warn = (message: string): void => {
    process.stderr.write(`basekms agent: WARNING: ${message}\n`);
  };
  if (options.quoteProvider === "simulator") {
    return createSimulatorProvider(options.eventLogFile === undefined ? {} : { eventLogFile: options.eventLogFile });
  }
  return createTsmProvider({ warn, ...(options.eventLogFile === undefined ? {} : { eventLogFile: options.eventLogFile }) });
}

/** Runs a flag parser; its INPUT_INVALID becomes a usage error (exit 2). */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AgentError && error.code === "INPUT_INVALID") throw new UsageError("USAGE", error.message, { cause: error });
    throw error;
  }
}

function readText(file: string, flag: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError("USAGE", `${flag}: cannot read ${file}`, { cause: error });
  }
}

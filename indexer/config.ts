import path from "node:path";
import { DEFAULT_BLOCK_RANGE, type BlockRangePolicy } from "../core/audit";
import { readDeployment, type Deployment } from "../core/chain/deployment";
import { envOptional, parseIntegerSetting, parseUrlSetting, type Env } from "../core/config/env";
import { UsageError } from "../core/errors";

/**
 * The indexer's whole configuration, parsed once from flags and environment (flags win) and
 * frozen. A bad value fails here, naming the flag or variable.
 */
export interface IndexerConfig {
  readonly rpcUrl: string;
  readonly deploymentFile: string;
  readonly deployment: Deployment;
  readonly dbFile: string;
  readonly host: string;
  readonly port: number;
  readonly confirmations: number;
  /** The release log to mirror (a KMS base URL); undefined mirrors none. */
  readonly kmsUrl: string | undefined;
  readonly pollIntervalMs: number;
  readonly mirrorIntervalMs: number;
  readonly rangePolicy: BlockRangePolicy;
  readonly logLevel: string;
  /** Progress bar: on a TTY unless "off". */
  readonly progress: "auto" | "off";
}

export interface IndexerFlags {
  rpc?: string;
  deployment?: string;
  db?: string;
  host?: string;
  port?: string;
  confirmations?: string;
  kms?: string;
  pollInterval?: string;
  maxBlockRange?: string;
  logLevel?: string;
  progress?: boolean;
}

const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

function pick(flag: string | undefined, flagName: string, env: Env, variable: string): { value: string | undefined; name: string } {
  if (flag !== undefined) return { value: flag, name: flagName };
  return { value: envOptional(env, variable), name: variable };
}

export function loadIndexerConfig(env: Env, flags: IndexerFlags): IndexerConfig {
  const rpc = pick(flags.rpc, "--rpc", env, "BASEKMS_RPC_URL");
  if (!rpc.value) throw new UsageError("USAGE", "--rpc (or BASEKMS_RPC_URL) is required");
  const deploymentFile = pick(flags.deployment, "--deployment", env, "BASEKMS_DEPLOYMENT").value;
  if (!deploymentFile) throw new UsageError("USAGE", "--deployment (or BASEKMS_DEPLOYMENT) is required");
  const deployment = readDeployment(deploymentFile);
  const db = pick(flags.db, "--db", env, "BASEKMS_INDEXER_DB");
  const port = pick(flags.port, "--port", env, "BASEKMS_INDEXER_PORT");
  const confirmations = pick(flags.confirmations, "--confirmations", env, "BASEKMS_CONFIRMATIONS");
  const kms = pick(flags.kms, "--kms", env, "BASEKMS_KMS_URL");
  const poll = pick(flags.pollInterval, "--poll-interval", env, "BASEKMS_INDEXER_POLL_MS");
  const maxRange = pick(flags.maxBlockRange, "--max-block-range", env, "BASEKMS_INDEXER_MAX_BLOCK_RANGE");
  const logLevel = flags.logLevel ?? envOptional(env, "BASEKMS_LOG_LEVEL") ?? "info";
  if (!LOG_LEVELS.has(logLevel)) throw new UsageError("CONFIG_INVALID", `log level must be one of ${[...LOG_LEVELS].join(", ")}`);
  const max = maxRange.value === undefined ? DEFAULT_BLOCK_RANGE.max : parseIntegerSetting(maxRange.name, maxRange.value, { min: 1, max: 10_000_000 });
  const pollIntervalMs = poll.value === undefined ? 1_000 : parseIntegerSetting(poll.name, poll.value, { min: 10, max: 3_600_000 });
  return Object.freeze({
    rpcUrl: parseUrlSetting(rpc.name, rpc.value),
    deploymentFile,
    deployment,
    dbFile: path.resolve(db.value ?? `basekms-indexer-${deployment.chainId}.sqlite`),
    host: flags.host ?? envOptional(env, "BASEKMS_INDEXER_HOST") ?? "127.0.0.1",
    port: port.value === undefined ? 8547 : parseIntegerSetting(port.name, port.value, { min: 0, max: 65_535 }),
    confirmations: confirmations.value === undefined ? 2 : parseIntegerSetting(confirmations.name, confirmations.value, { max: 10_000 }),
    kmsUrl: kms.value === undefined ? undefined : parseUrlSetting(kms.name, kms.value),
    pollIntervalMs,
    mirrorIntervalMs: Math.max(pollIntervalMs, 1_000),
    rangePolicy: { ...DEFAULT_BLOCK_RANGE, initial: Math.min(DEFAULT_BLOCK_RANGE.initial, max), max },
    logLevel,
    progress: flags.progress === false ? "off" : "auto",
  });
}

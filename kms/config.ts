import os from "node:os";
import path from "node:path";
import { HARDHAT_DEV_PRIVATE_KEY, LOCAL_CHAIN_ID } from "../core/chain/clients";
import { type Deployment, readDeployment } from "../core/chain/deployment";
import { type Env, envOptional, parseIntegerSetting, parsePrivateKeySetting, parseUrlSetting } from "../core/config/env";
import { UsageError } from "../core/errors";

/**
 * The KMS's configuration, read once at start-up from the environment and the command-line
 * flags (a flag wins over its variable), validated, and frozen. Every error names the
 * setting. The anchor submitter key comes from the environment only: keys never go in argv.
 * See docs/kms.md for the table.
 */
export type KmsNetwork = "sealed" | "sandbox";

export interface KmsConfig {
  network: KmsNetwork;
  rpcUrl: string;
  deploymentFile: string;
  deployment: Deployment;
  /** The deployment's chain id; the RPC must answer the same at start-up. */
  chainId: number;
  /** Policy is read at `latest − confirmations`. */
  confirmations: number;
  dataDir: string;
  /** PCCS base URL; sandbox without one starts an embedded dev PCCS on loopback. */
  pccsUrl: string | undefined;
  /** Where the Intel SGX Root CA CRL is, when the PCCS does not serve `/sgx/certification/v4/rootcacrl`. */
  rootCaCrlUrl: string | undefined;
  host: string;
  port: number;
  /** Anchor when this many entries are unanchored ... */
  anchorEveryEntries: number;
  /** ... or when this many seconds passed since the last anchor, whichever comes first. */
  anchorIntervalSeconds: number;
  /** Pays gas for `PlatformPolicy.checkpoint`; Hardhat's first dev key on the local chain. */
  anchorKey: `0x${string}`;
  /** Base URL of a running KMS to get the root secret from (attested onboarding). */
  onboardFrom: string | undefined;
  /** Sealed: create a brand-new root secret when none is held (the first KMS only). */
  genesis: boolean;
  /** Sealed: distinguishes KMS instances sharing one root secret in the identity derivation. */
  instanceName: string;
  /** Sealed: this VM's RTMR3 event log (dstack JSON), served in /health and sent when onboarding. */
  eventLogFile: string | undefined;
  /** Release worker threads (quote verification, HPKE sealing); see `defaultWorkerCount`. */
  workers: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  json: boolean;
}

/**
 * Release workers by default: one per available core but one, and at least one. The main
 * thread (HTTP, nonces, policy, the log's fsync, signing) needs a core of its own, and so
 * does libuv's thread pool, where part of every WebCrypto call runs: on the 2-core reference
 * machine one worker released more per second than two, for less CPU per release
 * (docs/kms.md, "Worker threads").
 */
export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

/** Flags of `basekms kms serve`, as commander hands them over (strings). */
export interface KmsFlags {
  rpc?: string;
  deployment?: string;
  network?: string;
  dataDir?: string;
  pccsUrl?: string;
  rootCaCrlUrl?: string;
  port?: string;
  host?: string;
  confirmations?: string;
  anchorEvery?: string;
  anchorInterval?: string;
  onboardFrom?: string;
  genesis?: boolean;
  workers?: string;
  json?: boolean;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A flag value, else its variable, else undefined; `name` says both, for error messages. */
function setting(env: Env, flag: string | undefined, flagName: string, variable: string): { raw: string | undefined; name: string } {
  if (flag !== undefined && flag !== "") return { raw: flag, name: flagName };
  return { raw: envOptional(env, variable), name: variable };
}

function integer(env: Env, flag: string | undefined, flagName: string, variable: string, fallback: number, bounds: { min: number; max: number }): number {
  const { raw, name } = setting(env, flag, flagName, variable);
  return raw === undefined ? fallback : parseIntegerSetting(name, raw, bounds);
}

function optionalUrl(env: Env, flag: string | undefined, flagName: string, variable: string): string | undefined {
  const { raw, name } = setting(env, flag, flagName, variable);
  return raw === undefined ? undefined : parseUrlSetting(name, raw);
}

function parseNetwork(env: Env, flags: KmsFlags): KmsNetwork {
  const { raw, name } = setting(env, flags.network, "--network", "BASEKMS_NETWORK");
  const value = raw ?? "sandbox";
  if (value !== "sealed" && value !== "sandbox") throw new UsageError("CONFIG_INVALID", `${name} must be "sealed" or "sandbox", got "${value}"`);
  return value;
}

function parseHost(env: Env, flags: KmsFlags): string {
  const { raw, name } = setting(env, flags.host, "--host", "BASEKMS_HOST");
  const host = raw ?? "127.0.0.1";
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host)) throw new UsageError("CONFIG_INVALID", `${name} is not a host name or address: "${host}"`);
  return host;
}

function parseBoolean(env: Env, flag: boolean | undefined, variable: string): boolean {
  if (flag !== undefined) return flag;
  const raw = envOptional(env, variable);
  if (raw === undefined) return false;
  if (raw === "1" || raw === "true") return true;
  if (raw === "0" || raw === "false") return false;
  throw new UsageError("CONFIG_INVALID", `${variable} must be 1/true or 0/false, got "${raw}"`);
}

function parseAnchorKey(env: Env, chainId: number): `0x${string}` {
  const raw = envOptional(env, "BASEKMS_ANCHOR_KEY");
  if (raw !== undefined) return parsePrivateKeySetting("BASEKMS_ANCHOR_KEY", raw);
  if (chainId === LOCAL_CHAIN_ID) return HARDHAT_DEV_PRIVATE_KEY;
  throw new UsageError("CONFIG_INVALID", `BASEKMS_ANCHOR_KEY is required on chain ${chainId} (it pays gas for log anchoring)`);
}

export function loadKmsConfig(env: Env, flags: KmsFlags = {}): Readonly<KmsConfig> {
  const network = parseNetwork(env, flags);
  const rpc = setting(env, flags.rpc, "--rpc", "BASEKMS_RPC_URL");
  const rpcUrl = parseUrlSetting(rpc.name, rpc.raw ?? "http://127.0.0.1:8545");
  const deploymentSetting = setting(env, flags.deployment, "--deployment", "BASEKMS_DEPLOYMENT");
  if (deploymentSetting.raw === undefined) {
    throw new UsageError("CONFIG_INVALID", "BASEKMS_DEPLOYMENT (or --deployment) is required: the deployments/<chainId>.json file to serve");
  }
  const deploymentFile = path.resolve(deploymentSetting.raw);
  const deployment = readDeployment(deploymentFile);
  const dataDir = path.resolve(setting(env, flags.dataDir, "--data-dir", "BASEKMS_DATA_DIR").raw ?? ".data/kms");
  const logLevelRaw = envOptional(env, "BASEKMS_LOG_LEVEL") ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevelRaw)) {
    throw new UsageError("CONFIG_INVALID", `BASEKMS_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${logLevelRaw}"`);
  }
  const pccsUrl = optionalUrl(env, flags.pccsUrl, "--pccs-url", "BASEKMS_PCCS_URL");
  if (network === "sealed" && pccsUrl === undefined) {
    throw new UsageError("CONFIG_INVALID", "BASEKMS_PCCS_URL (or --pccs-url) is required in sealed mode");
  }
  const rootCaCrlUrl = optionalUrl(env, flags.rootCaCrlUrl, "--root-ca-crl-url", "BASEKMS_ROOT_CA_CRL_URL");
  if (rootCaCrlUrl !== undefined && pccsUrl === undefined) {
    // The embedded dev PCCS serves its own development root's CRL; Intel's would never verify against it.
    throw new UsageError("CONFIG_INVALID", "BASEKMS_ROOT_CA_CRL_URL (or --root-ca-crl-url) needs BASEKMS_PCCS_URL (or --pccs-url): it replaces one path of that PCCS");
  }
  const instanceName = envOptional(env, "BASEKMS_INSTANCE_NAME") ?? "kms-0";
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(instanceName)) {
    throw new UsageError("CONFIG_INVALID", `BASEKMS_INSTANCE_NAME must be 1-64 characters of [A-Za-z0-9._-], got "${instanceName}"`);
  }
  const eventLogFile = envOptional(env, "BASEKMS_EVENT_LOG_FILE");
  const onboardFrom = optionalUrl(env, flags.onboardFrom, "--onboard-from", "BASEKMS_ONBOARD_FROM");
  const genesis = parseBoolean(env, flags.genesis, "BASEKMS_GENESIS");
  if (genesis && onboardFrom !== undefined) {
    throw new UsageError(
      "CONFIG_INVALID",
      "--genesis (BASEKMS_GENESIS) and --onboard-from (BASEKMS_ONBOARD_FROM) contradict each other: genesis creates a new root secret, onboarding receives the existing one; give one",
    );
  }
  return Object.freeze({
    network,
    rpcUrl,
    deploymentFile,
    deployment,
    chainId: deployment.chainId,
    confirmations: integer(env, flags.confirmations, "--confirmations", "BASEKMS_CONFIRMATIONS", 2, { min: 0, max: 1000 }),
    dataDir,
    pccsUrl,
    rootCaCrlUrl,
    host: parseHost(env, flags),
    port: integer(env, flags.port, "--port", "BASEKMS_PORT", 8700, { min: 0, max: 65535 }),
    anchorEveryEntries: integer(env, flags.anchorEvery, "--anchor-every", "BASEKMS_ANCHOR_EVERY", 1000, { min: 1, max: 10_000_000 }),
    anchorIntervalSeconds: integer(env, flags.anchorInterval, "--anchor-interval", "BASEKMS_ANCHOR_INTERVAL", 300, { min: 1, max: 86_400 }),
    anchorKey: parseAnchorKey(env, deployment.chainId),
    onboardFrom,
    genesis,
    instanceName,
    eventLogFile: eventLogFile === undefined ? undefined : path.resolve(eventLogFile),
    workers: integer(env, flags.workers, "--workers", "BASEKMS_WORKERS", defaultWorkerCount(), { min: 1, max: 256 }),
    logLevel: logLevelRaw as KmsConfig["logLevel"],
    json: flags.json ?? false,
  });
}

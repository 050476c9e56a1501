import path from "node:path";
import pino, { type Logger } from "pino";
import type { PublicClient } from "viem";
import { connectPublicClient } from "../../core/chain/clients";
import { deployFromConfig } from "../../core/chain/deployFromConfig";
import type { Deployment } from "../../core/chain/deployment";
import { BaseError } from "../../core/errors";
import { startHardhatNode } from "../../core/chain/hardhatNode";
import { loadIndexerConfig } from "../../indexer/config";
import { serveIndexer } from "../../indexer/server";
import { loadKmsConfig } from "../../kms/config";
import { type RunningKms, startKms } from "../../kms/server";
import { maintainerClientOf, withAccount, type MaintainerWriter } from "../../scripts/maintainer/client";
import { type ToySocialApi, startToySocialApi } from "../../examples/toy-social-api/server";
import type { DevDataLayout } from "./dataDir";
import { DEV_ROLES, devAccount, devPrivateKey } from "./devAccounts";
import { type LocalChainControl, localChainControl } from "./localChain";
import { type Narrator, shortHex } from "./narrator";
import { allowSimulatorPlatform, registerSandboxKms, type KmsRegistration, type PlatformSetup } from "./platformSetup";
import type { DevPorts } from "./ports";

/**
 * The embedded local stack behind `npm start`, in one process tree on 127.0.0.1:
 * 1. a Hardhat node (the only child process) and the deployed contracts;
 * 2. governance allows the simulator's TD platform;
 * 3. a sandbox KMS (in process, embedded dev PCCS), whose measurement governance allows and
 *    whose identity it registers;
 * 4. the indexer with its web page, mirroring and verifying the KMS's release log;
 * 5. the toy social-network API the demo's app reads.
 * `stop()` stops them in reverse order. If a step fails (or `signal` aborts), everything
 * started so far is stopped before the error is rethrown.
 */
export interface DevStackOptions {
  ports: DevPorts;
  layout: DevDataLayout;
  narrate: Narrator;
  /** Aborted by Ctrl-C during start-up: stop after the current step. */
  signal?: AbortSignal;
}

export interface DevStack {
  rpcUrl: string;
  chainId: number;
  deployment: Deployment;
  deploymentFile: string;
  layout: DevDataLayout;
  publicClient: PublicClient;
  /** Governance (dev account #0), for the policy changes the demo makes. */
  governance: MaintainerWriter;
  chain: LocalChainControl;
  platform: PlatformSetup;
  kms: RunningKms;
  kmsRegistration: KmsRegistration;
  indexerUrl: string;
  socialApi: ToySocialApi;
  hardhatPid: number;
  stop(): Promise<void>;
}

/** Receipts are there as soon as Hardhat mines; poll quickly. */
const RECEIPT_POLL_MS = 50;

/** Ctrl-C during start-up: what was started is stopped, and `basekms dev` exits 0. */
export class DevStackAborted extends BaseError<"DEV_STACK_INTERRUPTED"> {
  constructor() {
    super("DEV_STACK_INTERRUPTED", "start-up interrupted");
  }
}

function fileLogger(file: string, name: string): Logger {
  return pino({ name, level: "info" }, pino.destination({ dest: file, sync: true, mkdir: true }));
}

export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const { layout, narrate, ports } = options;
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  const stopAll = async (): Promise<void> => {
    for (const { name, stop } of stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => narrate.line(`  could not stop the ${name} cleanly: ${error instanceof Error ? error.message : String(error)}`));
    }
  };
  const checkpoint = () => {
    if (options.signal?.aborted) throw new DevStackAborted();
  };
  try {
    const node = await startHardhatNode({ port: ports.rpc });
    stops.push({ name: "hardhat node", stop: () => node.stop() });
    checkpoint();
    const { file: deploymentFile, deployment } = await deployFromConfig({ rpcUrl: node.url, confirmations: 1, deploymentsDir: layout.deployments });
    const publicClient = await connectPublicClient(node.url);
    const client = maintainerClientOf(publicClient, deployment, RECEIPT_POLL_MS);
    const governance = withAccount(client, devAccount(DEV_ROLES.governance), node.url);
    narrate.component("Hardhat node", `${node.url}  (chain ${deployment.chainId}, pid ${node.process.pid})`);
    narrate.component(
      "contracts",
      `AppRegistry ${deployment.contracts.AppRegistry.address}, PlatformPolicy ${deployment.contracts.PlatformPolicy.address}`,
    );
    checkpoint();

    const platform = await allowSimulatorPlatform(governance);
    narrate.component(
      "platform policy",
      `governance (#0) allowed the TDX simulator's platform ${shortHex(platform.platformHash)}, TCB status ${platform.tcbStatus}` +
        (platform.tcbStatusChanged ? "" : " (in the deployed contract's initial mask)"),
    );
    checkpoint();

    const kmsConfig = loadKmsConfig({
      BASEKMS_NETWORK: "sandbox",
      BASEKMS_RPC_URL: node.url,
      BASEKMS_DEPLOYMENT: deploymentFile,
      BASEKMS_DATA_DIR: layout.kms,
      BASEKMS_HOST: "127.0.0.1",
      BASEKMS_PORT: String(ports.kms),
      BASEKMS_CONFIRMATIONS: "1",
      BASEKMS_ANCHOR_EVERY: "1",
      BASEKMS_ANCHOR_INTERVAL: "30",
      BASEKMS_ANCHOR_KEY: devPrivateKey(DEV_ROLES.anchorSubmitter),
      // The demo makes a handful of requests: one release worker starts faster than one per core.
      BASEKMS_WORKERS: "1",
      BASEKMS_LOG_LEVEL: "info",
    });
    const kms = await startKms(kmsConfig, { logger: fileLogger(path.join(layout.logs, "kms.log"), "basekms-kms"), policyPollIntervalMs: 200, anchorTickMs: 200 });
    stops.push({ name: "KMS", stop: () => kms.close() });
    const kmsRegistration = await registerSandboxKms(governance, kms.evidence);
    narrate.component("sandbox KMS", `${kms.url}  identity ${kms.identity.address}, embedded dev PCCS ${kms.pccsUrl}`);
    narrate.detail(`SANDBOX: trusts the development CA of the TDX simulator; never give it real keys`);
    narrate.detail(`governance allowed its measurement ${shortHex(kmsRegistration.measurement)} and registered its identity`);
    checkpoint();

    const indexerConfig = loadIndexerConfig(
      {},
      {
        rpc: node.url,
        deployment: deploymentFile,
        db: layout.indexerDb,
        host: "127.0.0.1",
        port: String(ports.indexer),
        confirmations: "1",
        kms: kms.url,
        pollInterval: "200",
        logLevel: "info",
        progress: false,
      },
    );
    const indexer = await serveIndexer(indexerConfig, { logger: fileLogger(path.join(layout.logs, "indexer.log"), "basekms-indexer") });
    stops.push({ name: "indexer", stop: () => indexer.close() });
    narrate.component("indexer", `${indexer.url}  (web page /, API /v1, docs /docs), mirroring the KMS's release log`);
    checkpoint();

    const socialApi = await startToySocialApi({ host: "127.0.0.1", port: ports.socialApi });
    stops.push({ name: "toy social API", stop: () => socialApi.close() });
    narrate.component("toy social API", `${socialApi.url}  /v1/watch_history (shared data), /v1/direct_messages (private)`);
    checkpoint();

    return {
      rpcUrl: node.url,
      chainId: deployment.chainId,
      deployment,
      deploymentFile,
      layout,
      publicClient,
      governance,
      chain: localChainControl(publicClient),
      platform,
      kms,
      kmsRegistration,
      indexerUrl: indexer.url,
      socialApi,
      hardhatPid: node.process.pid as number,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

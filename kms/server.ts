import { mkdirSync } from "node:fs";
import path from "node:path";
import pino, { type Logger } from "pino";
import { type Address, createPublicClient, createWalletClient, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type DevPccsServer, startDevPccsServer } from "../core/attestation/simulator/pccsServer";
import { chainFor, httpTransport } from "../core/chain/clients";
import { platformPolicyDomain } from "../core/contracts/typedData";
import { type Anchorer, createAnchorer } from "./anchor/anchorer";
import { checkpointSubmitter } from "./anchor/submitCheckpoint";
import { buildKmsApp } from "./app";
import { createCollateralSource } from "./attest/collateralSource";
import { createAttestedRequestVerifier } from "./attest/verifyAttestedRequest";
import { createNonceStore } from "./challenge";
import type { KmsConfig } from "./config";
import { buildHealth } from "./health";
import { deriveSealedIdentity, type KmsIdentity, loadSandboxIdentity } from "./identity/kmsIdentity";
import { createSandboxAttestation, createTsmAttestation, type OwnAttestation, readEventLogFile } from "./identity/ownAttestation";
import { collectOwnEvidence, type OwnEvidence } from "./identity/ownEvidence";
import { createGroupCommitter, openReleaseLog, type ReleaseLog } from "./log";
import { createKmsMetrics } from "./metrics";
import { obtainRootSecret } from "./obtainRootSecret";
import { createOnboardingService } from "./onboard/onboardService";
import { createPolicyBlockSource, type PolicyBlockSource } from "./policy/policyBlock";
import { createPolicyReader } from "./policy/policyReader";
import { createKeyReleaseService } from "./release/keyRelease";
import { createLogWriter } from "./release/logWriter";
import { openRefusalStore } from "./release/refusalStore";
import type { KmsFastify } from "./routes/types";
import { checkChain, checkStaticConfig } from "./startupChecks";
import { type ReleaseWorkers, createReleaseWorkers } from "./workers/releaseWorkers";

/**
 * `startKms(config)`: refuse bad start-ups, open the stores, obtain the root secret and the
 * identity, build the app, listen, then run the policy poller and the anchorer. `close()`
 * (and SIGINT/SIGTERM when `handleSignals`) stops taking requests, lets in-flight ones
 * finish, stops the background work and closes the stores.
 */
export interface StartKmsOptions {
  logger?: Logger;
  handleSignals?: boolean;
  /** Test and tuning knobs; defaults suit production. */
  policyPollIntervalMs?: number;
  policyMaxAgeMs?: number;
  anchorTickMs?: number;
  anchorInitialBackoffMs?: number;
  /** At most one checkpoint record per this many ms (default 200). */
  checkpointRecordIntervalMs?: number;
  /** Challenge nonce lifetime (default 60 s). */
  challengeTtlMs?: number;
  /** TDX presence check for sealed mode (tests inject it). */
  pathExists?: (path: string) => boolean;
  /** A release worker job unanswered after this many ms fails with 503 WORKER_UNAVAILABLE (default 10 s). */
  workerTimeoutMs?: number;
  /** The release worker entry (tests inject a faulty one). */
  releaseWorkerScript?: string;
}

export interface RunningKms {
  url: string;
  app: KmsFastify;
  config: Readonly<KmsConfig>;
  identity: KmsIdentity;
  evidence: OwnEvidence;
  log: ReleaseLog;
  policyBlocks: PolicyBlockSource;
  anchorer: Anchorer;
  workers: ReleaseWorkers;
  pccsUrl: string;
  close(): Promise<void>;
}

export async function startKms(config: Readonly<KmsConfig>, options: StartKmsOptions = {}): Promise<RunningKms> {
  checkStaticConfig(config, options.pathExists);
  const logger = options.logger ?? pino({ name: "basekms-kms", level: config.logLevel }, pino.destination(2));
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const contracts = {
    AppRegistry: config.deployment.contracts.AppRegistry.address as Address,
    PlatformPolicy: config.deployment.contracts.PlatformPolicy.address as Address,
  };
  const chain = chainFor(config.chainId, config.rpcUrl);
  const publicClient = createPublicClient({ chain, transport: httpTransport(config.rpcUrl, 5_000) }) as PublicClient;
  await checkChain(publicClient, config);

  const cleanups: Array<() => unknown> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch((error: unknown) => logger.warn({ err: error }, "shutdown step failed"));
  };
  try {
    const policy = createPolicyReader({ client: publicClient, appRegistry: contracts.AppRegistry, platformPolicy: contracts.PlatformPolicy });
    const policyBlocks = createPolicyBlockSource({
      client: publicClient,
      confirmations: config.confirmations,
      pollIntervalMs: options.policyPollIntervalMs ?? 500,
      maxAgeMs: options.policyMaxAgeMs ?? 2_000,
      onError: (error) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, "policy block refresh failed"),
      // Requests move to a new block only once the questions they ask are answered there.
      prepare: (next) => policy.warm(next),
    });
    await policyBlocks.refresh();
    policyBlocks.start();
    cleanups.push(() => policyBlocks.stop());

    const sandboxIdentity = config.network === "sandbox" ? loadSandboxIdentity(config.dataDir) : undefined;
    const attestationFor = async (identity: KmsIdentity | undefined): Promise<OwnAttestation> =>
      identity && config.network === "sandbox"
        ? createSandboxAttestation({ platformPolicy: contracts.PlatformPolicy, identity: identity.address })
        : createTsmAttestation({ eventLog: await readEventLogFile(config.eventLogFile) });
    const secret = await obtainRootSecret({
      config,
      log: logger,
      attestation: () => attestationFor(sandboxIdentity),
      ...(sandboxIdentity ? { joinerAddress: sandboxIdentity.address } : {}),
      isKmsIdentity: async (kms) => policy.isKmsIdentity(await policyBlocks.current(), kms),
    });
    const identity = sandboxIdentity ?? deriveSealedIdentity(secret.rootSecret, config.instanceName);
    const evidence = await collectOwnEvidence(await attestationFor(identity), identity);

    let pccs: DevPccsServer | undefined;
    if (!config.pccsUrl) {
      pccs = await startDevPccsServer();
      cleanups.push(() => pccs?.close());
      logger.warn({ pccsUrl: pccs.url }, "sandbox KMS: serving simulator collateral from an embedded dev PCCS");
    }
    const pccsUrl = config.pccsUrl ?? (pccs as DevPccsServer).url;

    const log = openReleaseLog({ file: path.join(config.dataDir, "release-log.sqlite") });
    cleanups.push(() => log.close());
    const committer = createGroupCommitter(log);
    cleanups.push(() => committer.flush());
    const refusals = openRefusalStore(path.join(config.dataDir, "refusals.sqlite"));
    cleanups.push(() => refusals.close());
    const nonces = createNonceStore(options.challengeTtlMs ? { ttlMs: options.challengeTtlMs } : {});

    const metrics = createKmsMetrics({
      logSize: () => log.size(),
      unanchoredEntries: () => log.unanchoredCount(),
      policyBlockNumber: () => policyBlocks.status().block?.number,
      outstandingNonces: () => nonces.size(),
    });
    const anchorAccount = privateKeyToAccount(config.anchorKey);
    const walletClient = createWalletClient({ account: anchorAccount, chain, transport: httpTransport(config.rpcUrl, 10_000) });
    const anchorer = createAnchorer({
      log,
      submit: checkpointSubmitter({ publicClient, walletClient, platformPolicy: contracts.PlatformPolicy }),
      everyEntries: config.anchorEveryEntries,
      intervalMs: config.anchorIntervalSeconds * 1000,
      ...(options.anchorTickMs ? { tickMs: options.anchorTickMs } : {}),
      ...(options.anchorInitialBackoffMs ? { initialBackoffMs: options.anchorInitialBackoffMs } : {}),
      onAnchored: (checkpoint) => {
        metrics.anchors.inc();
        logger.info({ treeSize: checkpoint.treeSize, tx: checkpoint.anchoredTx }, "checkpoint anchored");
      },
      onError: (error, failures) => {
        metrics.anchorFailures.inc();
        logger.warn({ err: error instanceof Error ? error.message.split("\n")[0] : String(error), failures }, "anchoring failed; will retry");
      },
    });
    cleanups.push(() => anchorer.stop());

    const logWriter = createLogWriter({
      log,
      committer,
      identity: identity.account,
      domain: platformPolicyDomain(config.chainId, contracts.PlatformPolicy),
      ...(options.checkpointRecordIntervalMs === undefined ? {} : { recordIntervalMs: options.checkpointRecordIntervalMs }),
      onCheckpoint: () => void anchorer.poke(),
      onRecordError: (error) => logger.warn({ err: error }, "could not record a checkpoint"),
    });
    cleanups.push(() => logWriter.close());
    const workers = createReleaseWorkers({
      size: config.workers,
      network: config.network,
      collateral: createCollateralSource({
        pccsUrl,
        ...(config.rootCaCrlUrl ? { rootCaCrlUrl: config.rootCaCrlUrl } : {}),
        directory: path.join(config.dataDir, "collateral"),
      }),
      ...(options.workerTimeoutMs === undefined ? {} : { timeoutMs: options.workerTimeoutMs }),
      ...(options.releaseWorkerScript === undefined ? {} : { script: options.releaseWorkerScript }),
      onWorkerLost: ({ threadId, reason, jobsFailed }) => {
        metrics.workersLost.inc();
        logger.error({ threadId, reason, jobsFailed }, "release worker lost; its requests failed with WORKER_UNAVAILABLE and it was replaced");
      },
    });
    cleanups.push(() => workers.close());
    await workers.ready();
    const verifyAttested = createAttestedRequestVerifier({ attest: workers.attest, nonces });
    const common = { verifyAttested, policyBlocks, policy, logWriter, rootSecret: secret.rootSecret, kms: identity.address, chainId: config.chainId, appRegistry: contracts.AppRegistry };
    const app = await buildKmsApp({
      logger,
      nonces,
      keyRelease: createKeyReleaseService({ ...common, seal: workers.seal }),
      onboarding: createOnboardingService({ ...common, platformPolicy: contracts.PlatformPolicy }),
      log,
      latestCheckpoint: logWriter.latestCheckpoint,
      refusals,
      metrics,
      health: () =>
        buildHealth({
          network: config.network,
          chainId: config.chainId,
          contracts,
          confirmations: config.confirmations,
          anchoring: { everyEntries: config.anchorEveryEntries, intervalSeconds: config.anchorIntervalSeconds, status: anchorer.status },
          evidence,
          rootSecretStorage: secret.storage,
          log,
          latestCheckpoint: logWriter.latestCheckpoint,
          policyStatus: policyBlocks.status,
        }),
    });
    cleanups.push(() => app.close());
    await app.listen({ host: config.host, port: config.port });
    anchorer.start();
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url, network: config.network, chainId: config.chainId, kms: identity.address, logSize: log.size(), workers: workers.size }, "KMS listening");
    if (config.network === "sandbox") logger.warn("SANDBOX KMS: trusts the development CA; never use it for real keys");

    let closing: Promise<void> | undefined;
    const close = () => (closing ??= closeAll());
    if (options.handleSignals) {
      const onSignal = (signal: string) => {
        logger.info({ signal }, "shutting down");
        void close();
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      cleanups.unshift(() => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      });
    }
    return { url, app, config, identity, evidence, log, policyBlocks, anchorer, workers, pccsUrl, close };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

import type { Address } from "viem";
import { toHex, toHex0x } from "../core/bytes";
import { eventLogToJson, type TdxEvent } from "../core/attestation/eventlog";
import { CryptoError, DISK_KEY_LENGTH, generateAgentKeyPair, keyRequestReportData, openFromKms, sealInfo, type HpkeKeyPair } from "../core/crypto";
import type { KeyReleaseLeaf } from "../core/releaseLog";
import { AgentError } from "./errors";
import { appComposeHash, type AppIdentity } from "./identity";
import { silentLog, SIMULATOR_WARNING, type AgentLog } from "./log";
import { getBoundQuote } from "./measure/boundQuote";
import { measureApp } from "./measure/measureApp";
import type { MeasurementProvider } from "./measure/provider";
import { createKmsClient, type KmsClient } from "./protocol/kmsClient";
import type { KeyResponse, WireReceipt } from "./protocol/wire";
import type { KmsChainView } from "./receipt/kmsChain";
import { verifyReceipt } from "./receipt/verifyReceipt";
import { DEFAULT_RETRY_POLICY, withRetry, type RetryNotice, type RetryPolicy } from "./retry";

export interface BootAgentParameters {
  kmsUrl: string;
  /** app-compose.json as text (parsed, then JCS-hashed) or as a parsed value. */
  appCompose: unknown;
  /** 20 bytes. */
  appId: Uint8Array;
  /** 0..256 bytes; the disk key depends on it, so pass the same one on every boot. */
  instanceId: Uint8Array;
  provider: MeasurementProvider;
  /** The chain the agent trusts, read through its own RPC (see `connectKmsChain`). */
  chain: KmsChainView;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  log?: AgentLog;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface BootAgentResult {
  /** The app's 32-byte disk key. Never log it. */
  diskKey: Uint8Array;
  identity: AppIdentity;
  /** The verified receipt and the leaf it proves. */
  receipt: WireReceipt;
  leaf: KeyReleaseLeaf;
  /** The registered KMS identity that signed. */
  kms: Address;
  /** Key requests made, the successful one included. */
  attempts: number;
  eventLog: readonly TdxEvent[];
}

/**
 * The boot sequence of docs/agent.md:
 * 1. measure `app-id`, `compose-hash`, `instance-id` into RTMR3 (once per boot);
 * 2-3. per attempt: a fresh challenge, a fresh X25519 key, a quote binding both, `POST /v1/keys`;
 *    transient failures are retried with backoff, refusals end the boot at once;
 * 4. verify the receipt, the KMS identity on chain included;
 * 5. only then open the sealed key.
 */
export async function bootAgent(parameters: BootAgentParameters): Promise<BootAgentResult> {
  const log = parameters.log ?? silentLog;
  const { provider, chain } = parameters;
  if (provider.taint.length > 0) log.warn(`${SIMULATOR_WARNING} (taint: ${provider.taint.join(", ")})`);
  const identity: AppIdentity = {
    appId: parameters.appId,
    composeHash: appComposeHash(parameters.appCompose),
    instanceId: parameters.instanceId,
  };
  const measured = await measureApp(provider, identity);
  log.info(
    measured.extended === 0
      ? "RTMR3 already holds this app's events this boot; not extending again"
      : `measured app-id ${toHex0x(identity.appId)}, compose-hash ${toHex(identity.composeHash)}, instance-id ${toHex(identity.instanceId) || "(empty)"} into RTMR3`,
  );

  const client = createKmsClient({
    kmsUrl: parameters.kmsUrl,
    ...(parameters.fetch ? { fetch: parameters.fetch } : {}),
    ...(parameters.requestTimeoutMs ? { timeoutMs: parameters.requestTimeoutMs } : {}),
  });
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...parameters.retry };
  const retryOptions = {
    policy,
    onRetry: (notice: RetryNotice) => log.warn(retryMessage(notice, "retrying")),
    ...(parameters.sleep ? { sleep: parameters.sleep } : {}),
    ...(parameters.random ? { random: parameters.random } : {}),
  };
  const eventLog = eventLogToJson(provider.eventLog());
  let attempts = 0;
  const { response, keyPair } = await withRetry(
    (attempt) => {
      attempts = attempt;
      return requestKeyOnce(client, provider, eventLog);
    },
    { ...retryOptions, what: "key request", onRetry: (notice) => log.warn(retryMessage(notice, "retrying with a fresh challenge")) },
  );

  const verified = await verifyReceipt(
    response.receipt,
    { identity, agentPublicKey: keyPair.publicKey, chainId: chain.chainId, appRegistry: chain.appRegistry },
    chain,
    retryOptions,
  );
  log.info(
    `receipt verified: leaf ${verified.receipt.logIndex} of ${verified.receipt.treeSize}, signed by registered KMS identity ${verified.kms}`,
  );
  const diskKey = await openSealedKey(keyPair, response, identity, chain);
  return { diskKey, identity, receipt: verified.receipt, leaf: verified.leaf, kms: verified.kms, attempts, eventLog: provider.eventLog() };
}

/** One key request: nonces are single use, so every attempt gets its own challenge, key and quote. */
async function requestKeyOnce(
  client: KmsClient,
  provider: MeasurementProvider,
  eventLog: unknown[],
): Promise<{ response: KeyResponse; keyPair: HpkeKeyPair }> {
  const challenge = await client.getChallenge();
  const keyPair = await generateAgentKeyPair();
  const { quote } = await getBoundQuote(provider, keyRequestReportData(challenge.nonce, keyPair.publicKey));
  const response = await client.requestKey({
    quote: toHex(quote),
    eventLog,
    agentPublicKey: toHex(keyPair.publicKey),
    nonce: toHex(challenge.nonce),
  });
  return { response, keyPair };
}

/** HPKE-opens the disk key with the same context the KMS sealed it under (core/crypto/sealInfo). */
async function openSealedKey(keyPair: HpkeKeyPair, response: KeyResponse, identity: AppIdentity, chain: KmsChainView): Promise<Uint8Array> {
  const info = sealInfo({
    chainId: chain.chainId,
    appRegistry: chain.appRegistry,
    appId: identity.appId,
    instanceId: identity.instanceId,
    logIndex: response.receipt.logIndex,
  });
  let diskKey: Uint8Array;
  try {
    diskKey = await openFromKms(keyPair, response.sealedKey, info);
  } catch (error) {
    if (error instanceof CryptoError) {
      throw new AgentError("SEALED_KEY_INVALID", "the sealed key does not open for this app, instance, chain and log entry", { cause: error });
    }
    throw error;
  }
  if (diskKey.length !== DISK_KEY_LENGTH) {
    diskKey.fill(0);
    throw new AgentError("SEALED_KEY_INVALID", `the sealed key is ${diskKey.length} bytes, not ${DISK_KEY_LENGTH}`);
  }
  return diskKey;
}

function retryMessage(notice: RetryNotice, next: string): string {
  const seconds = (notice.delayMs / 1000).toFixed(1);
  return `attempt ${notice.attempt}/${notice.maxAttempts} failed: ${notice.error.code}: ${notice.error.message}; ${next} in ${seconds} s`;
}

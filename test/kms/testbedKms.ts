/**
 * KMS and agent side of the test bed: start a real KMS (`startKms`, real HTTP on loopback,
 * SQLite in a temp dir) against the test chain, and simulated agents that build key requests
 * exactly as docs/protocol.md says.
 */
import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import type { Hex } from "viem";
import { fromHex, toHex } from "../../core/bytes";
import { composeHash } from "../../core/attestation/composeHash";
import { APP_ID_EVENT, COMPOSE_HASH_EVENT, INSTANCE_ID_EVENT } from "../../core/attestation/eventlog";
import { platformHash } from "../../core/attestation/platformHash";
import { TdxSimulator, type TdxSimulatorOptions } from "../../core/attestation/simulator/tdxSimulator";
import { generateAgentKeyPair, openFromKms, type HpkeKeyPair } from "../../core/crypto/hpke";
import { keyRequestReportData } from "../../core/crypto/keyRequestBinding";
import { sealInfo } from "../../core/crypto/sealInfo";
import { loadKmsConfig, type KmsFlags } from "../../kms/config";
import { type RunningKms, type StartKmsOptions, startKms } from "../../kms/server";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import type { TestChain } from "./testbedChain";

export const silentLogger = () => pino({ level: "silent" });

/** The default simulated TD's platform hash (what governance allows in most tests). */
export const SIMULATOR_PLATFORM_HASH = platformHash(new TdxSimulator().measurements);

export function testComposeHash(label: string): Uint8Array {
  return composeHash({ name: label, services: { app: { image: `registry.example/${label}@sha256:${"ab".repeat(32)}` } } });
}

export interface TestKmsOptions {
  dataDir?: string;
  env?: Record<string, string>;
  flags?: KmsFlags;
  start?: StartKmsOptions;
  /**
   * Register the KMS identity on chain once it runs (default true): a KMS releases nothing
   * while it is unregistered (503 KMS_NOT_REGISTERED). Tests of that state pass false.
   */
  register?: boolean;
}

/** What governance needs to register a KMS: its identity and the evidence from its /health or summary (hex without 0x). */
export interface KmsRegistrationEvidence {
  kms: Hex;
  measurement: string;
  quoteSha256: string;
}

/** Governance allows the KMS's measurement and registers its identity, each only if not done yet. */
export async function ensureKmsRegistered(chain: TestChain, evidence: KmsRegistrationEvidence): Promise<void> {
  const read = (functionName: "isKmsMeasurementAllowed" | "isKmsIdentity", arg: Hex) =>
    chain.client.readContract({ address: chain.platformPolicy, abi: platformPolicyAbi, functionName, args: [arg] } as never) as Promise<boolean>;
  const measurement = `0x${evidence.measurement}` as Hex;
  if (!(await read("isKmsMeasurementAllowed", measurement))) await chain.governance.allowKmsMeasurement(measurement);
  if (!(await read("isKmsIdentity", evidence.kms))) await chain.governance.registerKmsIdentity(evidence.kms, `0x${evidence.quoteSha256}`, measurement);
}

/**
 * `ensureKmsRegistered` for an in-process KMS, then one more block is mined and the KMS's
 * policy block refreshed, so its next request sees the registration at the confirmed block
 * (the test bed runs with 1 confirmation).
 */
export async function registerTestKms(chain: TestChain, kms: RunningKms): Promise<void> {
  await ensureKmsRegistered(chain, { kms: kms.identity.address, measurement: kms.evidence.measurement as string, quoteSha256: kms.evidence.quoteSha256 });
  await chain.mine(1);
  await kms.policyBlocks.refresh();
}

export async function startTestKms(chain: TestChain, options: TestKmsOptions = {}): Promise<RunningKms> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(chain.tempDir, "kms-"));
  const env = {
    BASEKMS_DEPLOYMENT: chain.deploymentFile,
    BASEKMS_RPC_URL: chain.rpcUrl,
    BASEKMS_DATA_DIR: dataDir,
    BASEKMS_PORT: "0",
    BASEKMS_CONFIRMATIONS: "1",
    ...options.env,
  };
  const config = loadKmsConfig(env, options.flags ?? {});
  const kms = await startKms(config, { logger: silentLogger(), policyPollIntervalMs: 100, policyMaxAgeMs: 1_000, anchorTickMs: 100, ...options.start });
  if (options.register ?? true) {
    try {
      await registerTestKms(chain, kms);
    } catch (error) {
      await kms.close();
      throw error;
    }
  }
  return kms;
}

/**
 * Governance allows the simulator platform; signer 1 registers an app (1 of 1, no notice) and
 * approves `composeHash`; one more block, and the KMS's policy block moves past it all.
 */
export async function publishTestApp(chain: TestChain, kms: RunningKms, composeHash: Uint8Array): Promise<Hex> {
  await chain.governance.allowPlatform(SIMULATOR_PLATFORM_HASH);
  const appId = await chain.apps.register([1], 1, 0);
  await chain.apps.approve(appId, composeHash, [1]);
  await chain.mine(1);
  await kms.policyBlocks.refresh();
  return appId;
}

export interface AgentIdentity {
  appId: Hex;
  composeHash: Uint8Array;
  instanceId: Uint8Array;
}

/** A simulated app VM: RTMR3 extended with app-id, compose-hash and instance-id, as the agent does. */
export function makeAgentVm(identity: AgentIdentity, options: TdxSimulatorOptions = {}): TdxSimulator {
  const vm = new TdxSimulator(options);
  vm.extendRtmr3(APP_ID_EVENT, fromHex(identity.appId));
  vm.extendRtmr3(COMPOSE_HASH_EVENT, identity.composeHash);
  vm.extendRtmr3(INSTANCE_ID_EVENT, identity.instanceId);
  return vm;
}

export async function getChallenge(kmsUrl: string): Promise<{ nonce: string; expiresAt: number }> {
  const response = await fetch(`${kmsUrl}/v1/challenge`);
  return (await response.json()) as { nonce: string; expiresAt: number };
}

export interface KeyRequest {
  body: { quote: string; eventLog: unknown[]; agentPublicKey: string; nonce: string };
  keyPair: HpkeKeyPair;
}

/** A well-formed key request from `vm` for `nonce`. */
export async function buildKeyRequest(vm: TdxSimulator, nonce: string): Promise<KeyRequest> {
  const keyPair = await generateAgentKeyPair();
  const quote = vm.getQuote(keyRequestReportData(fromHex(nonce), keyPair.publicKey));
  return { body: { quote: toHex(quote), eventLog: vm.eventLog(), agentPublicKey: toHex(keyPair.publicKey), nonce }, keyPair };
}

export interface HttpAnswer {
  status: number;
  json: Record<string, unknown>;
}

export async function postJson(url: string, body: unknown): Promise<HttpAnswer> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Challenge, quote, POST /v1/keys. */
export async function requestKey(kmsUrl: string, vm: TdxSimulator): Promise<HttpAnswer & { keyPair: HpkeKeyPair }> {
  const { nonce } = await getChallenge(kmsUrl);
  const request = await buildKeyRequest(vm, nonce);
  return { ...(await postJson(`${kmsUrl}/v1/keys`, request.body)), keyPair: request.keyPair };
}

/** Opens `sealedKey` as the agent does (info from sealInfo with the receipt's log index). */
export async function openReleasedKey(
  answer: HttpAnswer & { keyPair: HpkeKeyPair },
  context: { chainId: number; appRegistry: Hex; appId: Hex; instanceId: Uint8Array },
): Promise<Uint8Array> {
  const sealed = answer.json.sealedKey as { enc: string; ciphertext: string };
  const receipt = answer.json.receipt as { logIndex: number };
  const info = sealInfo({ chainId: context.chainId, appRegistry: context.appRegistry, appId: fromHex(context.appId), instanceId: context.instanceId, logIndex: receipt.logIndex });
  return openFromKms(answer.keyPair, { enc: fromHex(sealed.enc), ciphertext: fromHex(sealed.ciphertext) }, info);
}

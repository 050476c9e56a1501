/**
 * The on-chain world of the end-to-end tests, on top of test/kms/testbedChain.ts: the
 * simulator platform allowed, apps published by their release signers, and KMS identities
 * registered by governance.
 */
import fs from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { fromHex, toHex } from "../../../core/bytes";
import { composeHash } from "../../../core/attestation/composeHash";
import { type TestChain, startTestChain } from "../../kms/testbedChain";
import { type KmsRegistrationEvidence, SIMULATOR_PLATFORM_HASH, ensureKmsRegistered } from "../../kms/testbedKms";

export interface PublishedApp {
  appId: Hex;
  /** app-compose.json of the approved release the agent measures. */
  appCompose: Record<string, unknown>;
  composeHash: Uint8Array;
}

/** An app-compose.json as maintainers publish it; `version` changes the image, so the compose hash. */
export function appCompose(label: string, version = 1): Record<string, unknown> {
  const digest = version.toString(16).padStart(64, "0");
  return {
    manifest_version: 2,
    name: label,
    runner: "docker-compose",
    docker_compose_file: `services:\n  app:\n    image: registry.example/${label}@sha256:${digest}\n`,
  };
}

/** A Hardhat node with the contracts, and governance allowing the simulator's platform. */
export async function startWorld(): Promise<TestChain> {
  const chain = await startTestChain();
  try {
    await chain.governance.allowPlatform(SIMULATOR_PLATFORM_HASH);
    return chain;
  } catch (error) {
    await chain.stop();
    throw error;
  }
}

/** Registers an app with one release signer (dev account 1, no notice period) and approves version 1. */
export async function publishApp(chain: TestChain, label: string): Promise<PublishedApp> {
  const appId = await chain.apps.register([1], 1, 0);
  const compose = appCompose(label, 1);
  const hash = composeHash(compose);
  await chain.apps.approve(appId, hash, [1]);
  await chain.mine(1); // one confirmation: the KMS reads latest - 1
  return { appId, appCompose: compose, composeHash: hash };
}

/** The release signer approves another version of the same app (an upgrade). */
export async function approveUpgrade(chain: TestChain, app: PublishedApp, version: number): Promise<PublishedApp> {
  const compose = appCompose(String(app.appCompose.name), version);
  const hash = composeHash(compose);
  await chain.apps.approve(app.appId, hash, [1]);
  await chain.mine(1);
  return { appId: app.appId, appCompose: compose, composeHash: hash };
}

/**
 * Registers a KMS running as a process (`ensureKmsRegistered`), then waits until that KMS's own
 * policy block includes the registration (it releases nothing before: 503 KMS_NOT_REGISTERED).
 * Mines enough blocks for any confirmation depth up to `confirmations`.
 */
export async function registerKmsAndWait(chain: TestChain, kmsUrl: string, evidence: KmsRegistrationEvidence, confirmations = 2): Promise<void> {
  await ensureKmsRegistered(chain, evidence);
  const registrationBlock = Number(await chain.client.getBlockNumber({ cacheTime: 0 }));
  await chain.mine(confirmations);
  await waitUntil("the KMS's policy block to include its registration", async () => {
    const health = (await (await fetch(`${kmsUrl}/health`)).json()) as { policy?: { block?: { number?: number } | null } };
    return (health.policy?.block?.number ?? -1) >= registrationBlock;
  });
}

/** A fresh data directory under the chain's temp dir (removed by `chain.stop()`). */
export function freshDataDir(chain: TestChain, label: string): string {
  return fs.mkdtempSync(path.join(chain.tempDir, `${label}-`));
}

/** A 20-byte instance id made from a small number, readable in failures. */
export function instanceIdOf(value: number): Uint8Array {
  return fromHex(value.toString(16).padStart(40, "0"));
}

export const hex0x = (bytes: Uint8Array): Hex => `0x${toHex(bytes)}`;

/** Polls `check` every 100 ms until it returns true, or throws after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

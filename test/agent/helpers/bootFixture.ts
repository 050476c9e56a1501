import { randomBytes } from "node:crypto";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Address, LocalAccount } from "viem";
import { bootAgent, type BootAgentParameters, type BootAgentResult } from "../../../agent/boot";
import { createSimulatorProvider } from "../../../agent/measure/simulatorProvider";
import type { AgentLog } from "../../../agent/log";
import type { AgentChain } from "./agentChain";
import { startFakeKms, type FakeKms, type FakeKmsOptions } from "./fakeKms";

/** An app as a maintainer would publish it. */
export const APP_COMPOSE = {
  manifest_version: 2,
  name: "notes",
  runner: "docker-compose",
  docker_compose_file: "services:\n  web:\n    image: ghcr.io/example/notes@sha256:" + "0".repeat(64) + "\n",
};
export const APP_ID = Uint8Array.from({ length: 20 }, (_, index) => 0xa0 + index);
export const INSTANCE_ID = Uint8Array.from({ length: 20 }, (_, index) => 0x10 + index);

export interface RecordingLog extends AgentLog {
  lines: string[];
}

export function recordingLog(): RecordingLog {
  const lines: string[] = [];
  return { lines, info: (message) => lines.push(`info: ${message}`), warn: (message) => lines.push(`warn: ${message}`) };
}

/** A test bench: one chain, one registered KMS identity, a fresh fake KMS per test. */
export interface AgentBench {
  chain: AgentChain;
  kmsIdentity: LocalAccount;
  rootSecret: Uint8Array;
  startKms(overrides?: Partial<FakeKmsOptions>): Promise<FakeKms>;
}

export async function registeredKmsBench(chain: AgentChain): Promise<AgentBench> {
  const kmsIdentity = privateKeyToAccount(generatePrivateKey());
  await chain.registerKms(kmsIdentity.address);
  const rootSecret = new Uint8Array(randomBytes(32));
  const { deployment } = chain;
  return {
    chain,
    kmsIdentity,
    rootSecret,
    startKms: (overrides = {}) =>
      startFakeKms({
        chainId: deployment.chainId,
        appRegistry: deployment.contracts.AppRegistry.address as Address,
        platformPolicy: deployment.contracts.PlatformPolicy.address as Address,
        signer: kmsIdentity,
        rootSecret,
        ...overrides,
      }),
  };
}

export interface BootRun {
  result?: BootAgentResult;
  error?: unknown;
  sleeps: number[];
  log: RecordingLog;
}

/** Boots a simulator agent against `kms`, with instant sleeps (recorded) instead of real ones. */
export async function runBoot(bench: AgentBench, kms: FakeKms, overrides: Partial<BootAgentParameters> = {}): Promise<BootRun> {
  const sleeps: number[] = [];
  const log = recordingLog();
  const run: BootRun = { sleeps, log };
  try {
    run.result = await bootAgent({
      kmsUrl: kms.url,
      appCompose: APP_COMPOSE,
      appId: APP_ID,
      instanceId: INSTANCE_ID,
      provider: createSimulatorProvider(),
      chain: bench.chain.view,
      retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 5_000 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 1,
      log,
      ...overrides,
    });
  } catch (error) {
    run.error = error;
  }
  return run;
}

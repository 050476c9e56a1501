/**
 * A simulated app VM running the real agent (`bootAgent`): simulator quotes, its own RPC to
 * the Hardhat node (never through the KMS, and never through the test's RPC proxy), and short
 * retry delays so a test sees recovery within seconds.
 */
import { fromHex } from "../../../core/bytes";
import { bootAgent, type BootAgentResult } from "../../../agent/boot";
import { AgentError } from "../../../agent/errors";
import { createSimulatorProvider } from "../../../agent/measure/simulatorProvider";
import { connectKmsChain } from "../../../agent/receipt/kmsChain";
import type { RetryPolicy } from "../../../agent/retry";
import type { TestChain } from "../../kms/testbedChain";
import type { PublishedApp } from "./world";

export interface AgentBootOptions {
  instanceId: Uint8Array;
  retry?: Partial<RetryPolicy>;
  /** Receives the agent's warnings (retry notices). */
  onWarn?: (message: string) => void;
}

export async function bootSimulatedAgent(chain: TestChain, kmsUrl: string, app: PublishedApp, options: AgentBootOptions): Promise<BootAgentResult> {
  const view = await connectKmsChain({ rpcUrl: chain.node.url, deployment: chain.deployment });
  return bootAgent({
    kmsUrl,
    appCompose: app.appCompose,
    appId: fromHex(app.appId),
    instanceId: options.instanceId,
    provider: createSimulatorProvider(),
    chain: view,
    retry: { maxAttempts: 1, ...options.retry },
    log: { info: () => undefined, warn: options.onWarn ?? (() => undefined) },
  });
}

/** The agent's failure, for refusal tests: `{ code, kmsErrorCode }`. */
export async function agentFailure(boot: Promise<unknown>): Promise<{ code: string; kmsErrorCode: string | undefined }> {
  try {
    await boot;
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    return { code: error.code, kmsErrorCode: error.kmsErrorCode };
  }
  throw new Error("the agent booted, but a failure was expected");
}

export type { BootAgentResult };

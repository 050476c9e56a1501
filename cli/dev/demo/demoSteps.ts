import type { Hex } from "viem";
import { SIMULATOR_WARNING, type AgentLog } from "../../../agent/log";
import type { KmsChainView } from "../../../agent/receipt/kmsChain";
import type { Narrator } from "../narrator";
import type { DevStack } from "../startDevStack";
import { type BootOutcome, type BootRefusal, bootAppVm } from "./appVm";
import type { DemoBuild } from "./demoBuilds";
import { DemoError, expectOutcome } from "./demoError";
import { getJson, waitFor } from "./waitFor";

/**
 * The demo's agent boots, narrated and checked: each boot is a fresh simulated VM running the
 * real agent (appVm.ts); an expected refusal must carry the exact code and reason, an expected
 * release must name the build's compose hash. `kmsPolicyAt` waits until the KMS reads policy
 * at a block, so a boot is judged on the chain state the demo just made.
 */
export interface DemoContext {
  stack: DevStack;
  narrate: Narrator;
  signal: AbortSignal | undefined;
  chainView: KmsChainView;
  agentLog: AgentLog;
}

export function checkInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DemoError("DEMO_INTERRUPTED", "the demo was interrupted");
}

/** The agent's own lines, indented under the step; the simulator banner once per demo. */
export function agentLogFor(narrate: Narrator): AgentLog {
  let bannerShown = false;
  return {
    info: (message) => narrate.detail(`agent: ${message}`),
    warn: (message) => {
      if (message.startsWith(SIMULATOR_WARNING)) {
        if (bannerShown) return;
        bannerShown = true;
      }
      narrate.detail(`agent: WARNING: ${message}`);
    },
  };
}

/** Waits until the KMS reads policy at `blockNumber` or later (it reads at latest − confirmations). */
export async function kmsPolicyAt(context: DemoContext, blockNumber: bigint): Promise<number> {
  return waitFor(
    `the KMS to read policy at block ${blockNumber}`,
    async () => {
      const health = await getJson<{ policy: { block: { number: number } | null } }>(`${context.stack.kms.url}/health`);
      const number = health.policy.block?.number;
      return number !== undefined && BigInt(number) >= blockNumber ? number : undefined;
    },
    context.signal ? { signal: context.signal } : {},
  );
}

function expectRefusal(outcome: BootOutcome, reason: string, what: string): BootRefusal {
  expectOutcome(!outcome.ok, `${what}: the agent got a key, but the KMS must refuse it`);
  const { refusal } = outcome;
  expectOutcome(
    refusal.agentErrorCode === "KMS_REFUSED" && refusal.kmsErrorCode === "COMPOSE_HASH_NOT_ALLOWED" && refusal.reason === reason,
    `${what}: expected KMS_REFUSED / COMPOSE_HASH_NOT_ALLOWED (${reason}), got ${refusal.agentErrorCode} / ${refusal.kmsErrorCode} (${refusal.reason}): ${refusal.message}`,
  );
  return refusal;
}

export async function bootRefused(context: DemoContext, appId: Hex, build: DemoBuild, instanceId: Uint8Array, reason: string, what: string): Promise<BootRefusal> {
  const outcome = await bootAppVm({ kmsUrl: context.stack.kms.url, chain: context.chainView, appId, build, instanceId, log: context.agentLog });
  const refusal = expectRefusal(outcome, reason, what);
  context.narrate.check(`refused: ${refusal.kmsErrorCode} (${refusal.reason}), HTTP ${refusal.httpStatus}; no key left the KMS`);
  return refusal;
}

export async function bootAllowed(context: DemoContext, appId: Hex, build: DemoBuild, instanceId: Uint8Array, what: string) {
  const outcome = await bootAppVm({ kmsUrl: context.stack.kms.url, chain: context.chainView, appId, build, instanceId, log: context.agentLog });
  if (!outcome.ok) {
    const { refusal } = outcome;
    throw new DemoError("DEMO_EXPECTATION_FAILED", `${what}: expected the disk key, got ${refusal.agentErrorCode} / ${refusal.kmsErrorCode} (${refusal.reason}): ${refusal.message}`);
  }
  expectOutcome(`0x${outcome.result.leaf.composeHash}` === build.composeHash, `${what}: the receipt's leaf names another compose hash`);
  return outcome.result;
}

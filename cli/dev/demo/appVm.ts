import type { Hex } from "viem";
import { fromHex } from "../../../core/bytes";
import { AgentError } from "../../../agent/errors";
import { bootAgent, type BootAgentResult } from "../../../agent/boot";
import { createSimulatorProvider } from "../../../agent/measure/simulatorProvider";
import type { KmsChainView } from "../../../agent/receipt/kmsChain";
import type { AgentLog } from "../../../agent/log";
import type { DemoBuild } from "./demoBuilds";

/**
 * One boot of a simulated app VM: a fresh TDX simulator (RTMR3 starts empty, as after a
 * reboot), the real agent (`bootAgent`, as `basekms agent boot --quote-provider simulator`
 * runs it), and the chain view the agent trusts. A refusal is returned with the KMS's own
 * error code and, for COMPOSE_HASH_NOT_ALLOWED, its `reason` (the agent's `kmsReason`).
 */
export interface BootRefusal {
  agentErrorCode: string;
  kmsErrorCode: string | null;
  reason: string | null;
  httpStatus: number | null;
  message: string;
}

export type BootOutcome = { ok: true; result: BootAgentResult } | { ok: false; refusal: BootRefusal };

export interface BootAppVmParameters {
  kmsUrl: string;
  chain: KmsChainView;
  appId: Hex;
  build: DemoBuild;
  instanceId: Uint8Array;
  log: AgentLog;
}

export async function bootAppVm(parameters: BootAppVmParameters): Promise<BootOutcome> {
  try {
    const result = await bootAgent({
      kmsUrl: parameters.kmsUrl,
      appCompose: parameters.build.composeText,
      appId: fromHex(parameters.appId),
      instanceId: parameters.instanceId,
      provider: createSimulatorProvider(),
      chain: parameters.chain,
      retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 1_000 },
      log: parameters.log,
    });
    return { ok: true, result };
  } catch (error) {
    if (!(error instanceof AgentError)) throw error;
    return {
      ok: false,
      refusal: {
        agentErrorCode: error.code,
        kmsErrorCode: error.kmsErrorCode ?? null,
        reason: error.kmsReason ?? null,
        httpStatus: error.httpStatus ?? null,
        message: error.message,
      },
    };
  }
}

import type { Address } from "viem";
import type { AnchorerStatus } from "./anchor/anchorer";
import type { KmsNetwork } from "./config";
import type { OwnEvidence } from "./identity/ownEvidence";
import type { ReleaseLog, StoredCheckpoint } from "./log";
import type { PolicyBlockStatus } from "./policy/policyBlock";
import type { HealthResponse } from "./schemas";

/**
 * `GET /health`: public evidence about this KMS, in the spirit of DevOpsDefender's seed:
 * what network it serves, who it is (identity address and a quote that binds it), how far
 * its log is anchored, what policy block it reads, and every reason to trust it less.
 */
export interface HealthSources {
  network: KmsNetwork;
  chainId: number;
  contracts: { AppRegistry: Address; PlatformPolicy: Address };
  confirmations: number;
  anchoring: { everyEntries: number; intervalSeconds: number; status: () => AnchorerStatus };
  evidence: OwnEvidence;
  rootSecretStorage: string;
  log: Pick<ReleaseLog, "size" | "latestAnchoredCheckpoint" | "unanchoredCount">;
  latestCheckpoint: () => StoredCheckpoint | undefined;
  policyStatus: () => PolicyBlockStatus;
}

/** Taint reasons: conditions under which a careful user should not trust this KMS with real keys. */
export function taintsOf(sources: Pick<HealthSources, "network" | "evidence" | "rootSecretStorage">): string[] {
  const taints: string[] = [];
  if (sources.network === "sandbox") taints.push("sandbox-development-ca-trusted");
  if (sources.evidence.quoteSource === "simulator") taints.push("simulated-tdx-quote");
  if (sources.rootSecretStorage === "sandbox-file") taints.push("root-secret-on-disk");
  if (sources.evidence.identityStorage === "sandbox-file") taints.push("kms-identity-on-disk");
  if (sources.evidence.measurement === null) taints.push("kms-measurement-unknown");
  return taints;
}

function checkpointView(checkpoint: StoredCheckpoint | undefined) {
  return checkpoint ? { ...checkpoint } : null;
}

export function buildHealth(sources: HealthSources): HealthResponse {
  const policy = sources.policyStatus();
  const anchoring = sources.anchoring.status();
  const warnings: string[] = [];
  if (sources.network === "sandbox") {
    warnings.push("SANDBOX KMS: it trusts a development CA whose keys are public; never use it for real keys");
  }
  if (sources.rootSecretStorage === "memory-only") warnings.push("the root secret is held in memory only; keep another KMS running to re-onboard this one");
  if (policy.stale) warnings.push("the policy block is stale: key requests answer 503 POLICY_UNAVAILABLE until the RPC recovers");
  if (anchoring.lastError) warnings.push(`anchoring is failing: ${anchoring.lastError}`);
  return {
    status: policy.stale || anchoring.consecutiveFailures > 0 ? "degraded" : "ok",
    network: sources.network,
    chainId: sources.chainId,
    contracts: sources.contracts,
    kms: {
      address: sources.evidence.address,
      identityStorage: sources.evidence.identityStorage,
      quote: sources.evidence.quote,
      quoteSha256: sources.evidence.quoteSha256,
      reportData: sources.evidence.reportData,
      eventLog: sources.evidence.eventLog,
      measurement: sources.evidence.measurement,
      quoteSource: sources.evidence.quoteSource,
    },
    log: {
      size: sources.log.size(),
      checkpoint: checkpointView(sources.latestCheckpoint()),
      latestAnchored: checkpointView(sources.log.latestAnchoredCheckpoint()),
      unanchoredEntries: sources.log.unanchoredCount(),
    },
    anchoring: {
      everyEntries: sources.anchoring.everyEntries,
      intervalSeconds: sources.anchoring.intervalSeconds,
      lastError: anchoring.lastError,
      consecutiveFailures: anchoring.consecutiveFailures,
    },
    policy: {
      confirmations: sources.confirmations,
      block: policy.block ?? null,
      stale: policy.stale,
      lastError: policy.lastError ?? null,
    },
    rootSecret: { storage: sources.rootSecretStorage },
    taints: taintsOf(sources),
    warnings,
  };
}

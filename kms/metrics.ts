import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { pullGauge } from "../core/metrics";

/**
 * Prometheus metrics of one KMS app, in its own Registry (so tests can build many apps in
 * one process). Gauges that mirror state read it at scrape time through `sources`.
 */
export interface KmsMetrics {
  registry: Registry;
  releases: Counter<"endpoint">;
  refusals: Counter<"code" | "endpoint">;
  duration: Histogram<"endpoint" | "outcome">;
  anchorFailures: Counter;
  anchors: Counter;
  workersLost: Counter;
}

export interface KmsMetricSources {
  logSize: () => number;
  unanchoredEntries: () => number;
  policyBlockNumber: () => number | undefined;
  outstandingNonces: () => number;
}

export function createKmsMetrics(sources: KmsMetricSources, options: { defaultMetrics?: boolean } = {}): KmsMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "basekms_" });
  const gauge = (name: string, help: string, read: () => number | undefined) => pullGauge(registry, name, help, read);
  gauge("basekms_log_size", "Leaves in the release log", sources.logSize);
  gauge("basekms_log_unanchored_entries", "Leaves not yet covered by an anchored checkpoint", sources.unanchoredEntries);
  gauge("basekms_policy_block_number", "The block the policy is read at (latest - confirmations)", sources.policyBlockNumber);
  gauge("basekms_challenge_nonces_outstanding", "Challenge nonces remembered", sources.outstandingNonces);
  return {
    registry,
    releases: new Counter({ name: "basekms_releases_total", help: "Keys or root secrets released", labelNames: ["endpoint"], registers: [registry] }),
    refusals: new Counter({ name: "basekms_refusals_total", help: "Requests refused, by error code", labelNames: ["code", "endpoint"], registers: [registry] }),
    duration: new Histogram({
      name: "basekms_request_duration_seconds",
      help: "Time to answer POST /v1/keys and /v1/onboard",
      labelNames: ["endpoint", "outcome"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    anchors: new Counter({ name: "basekms_anchors_total", help: "Checkpoints anchored on chain", registers: [registry] }),
    anchorFailures: new Counter({ name: "basekms_anchor_failures_total", help: "Failed anchoring attempts", registers: [registry] }),
    workersLost: new Counter({ name: "basekms_release_workers_lost_total", help: "Release worker threads that crashed, exited or timed out (each was replaced)", registers: [registry] }),
  };
}

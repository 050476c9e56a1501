import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { pullGauge } from "../core/metrics";

/**
 * Prometheus metrics of one indexer, in its own Registry (tests build many in one process). Gauges
 * read state at scrape time; alarms and violations are gauges of what is stored, so a restart
 * never hides them.
 */
export interface IndexerMetrics {
  readonly registry: Registry;
  readonly eventsSynced: Counter;
  readonly batches: Counter;
  readonly reorgs: Counter;
  readonly syncErrors: Counter;
  readonly mirrorErrors: Counter;
  readonly requestDuration: Histogram<"route">;
}

export interface IndexerMetricSources {
  readonly syncedBlock: () => number;
  readonly chainHead: () => number | undefined;
  readonly mirroredEntries: () => number | undefined;
  readonly unanchoredEntries: () => number | undefined;
  readonly logAlarms: () => number;
  readonly leafViolations: () => number;
  readonly auditRed: () => boolean;
}

export function createIndexerMetrics(sources: IndexerMetricSources, options: { defaultMetrics?: boolean } = {}): IndexerMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "basekms_indexer_" });
  const gauge = (name: string, help: string, read: () => number | undefined) => pullGauge(registry, name, help, read);
  gauge("basekms_indexer_synced_block", "Last block whose events are committed", sources.syncedBlock);
  gauge("basekms_indexer_chain_head", "Latest block the RPC reported", sources.chainHead);
  gauge("basekms_indexer_log_entries", "Release-log entries mirrored and verified", sources.mirroredEntries);
  gauge("basekms_indexer_log_unanchored_entries", "Mirrored entries beyond the KMS's last anchored checkpoint", sources.unanchoredEntries);
  gauge("basekms_indexer_log_alarms", "Release-log alarms raised (gaps, inconsistencies, forks); never cleared", sources.logAlarms);
  gauge("basekms_indexer_leaf_violations", "Mirrored leaves whose decision the policy did not allow (KMS misbehaviour)", sources.leafViolations);
  gauge("basekms_indexer_audit_red", "1 when the audit status is red", () => (sources.auditRed() ? 1 : 0));
  return {
    registry,
    eventsSynced: new Counter({ name: "basekms_indexer_events_synced_total", help: "Policy events committed", registers: [registry] }),
    batches: new Counter({ name: "basekms_indexer_batches_total", help: "Sync batches committed", registers: [registry] }),
    reorgs: new Counter({ name: "basekms_indexer_reorgs_total", help: "Reorgs rolled back", registers: [registry] }),
    syncErrors: new Counter({ name: "basekms_indexer_sync_errors_total", help: "Sync ticks that failed (RPC)", registers: [registry] }),
    mirrorErrors: new Counter({ name: "basekms_indexer_mirror_errors_total", help: "Mirror ticks that could not reach the log", registers: [registry] }),
    requestDuration: new Histogram({
      name: "basekms_indexer_request_duration_seconds",
      help: "API request duration by route",
      labelNames: ["route"],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1],
      registers: [registry],
    }),
  };
}

import { Type } from "typebox";
import type { IndexerAppDeps, IndexerFastify } from "../types";
import { AuditStatusResponse } from "../schemas";

/** Health, sync and mirror status, the audit status (green or red with reasons), Prometheus metrics. */
export function registerStatusRoutes(app: IndexerFastify, deps: IndexerAppDeps): void {
  const tags = ["operations"];
  app.get("/health", { schema: { summary: "Liveness and sync position", tags, response: { 200: Type.Object({ status: Type.Literal("ok"), syncedBlock: Type.Integer() }) } } }, async () => ({
    status: "ok" as const,
    syncedBlock: deps.chain.syncState().syncedBlock,
  }));

  app.get("/v1/status", { schema: { summary: "Sync and mirror status", tags } }, async (_request, reply) => {
    reply.header("cache-control", "no-store");
    return deps.status();
  });

  app.get("/v1/audit", { schema: { summary: "Audit status: green, or red with every reason and its evidence", tags: ["audit"], response: { 200: AuditStatusResponse } } }, async (_request, reply) => {
    reply.header("cache-control", "no-store");
    const status = deps.auditStatus();
    return { ...status, reasons: [...status.reasons] };
  });

  app.get("/metrics", { schema: { summary: "Prometheus metrics", tags } }, async (_request, reply) => {
    reply.header("content-type", deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}

import type { KmsMetrics } from "../metrics";
import { HealthResponse } from "../schemas";
import type { KmsFastify } from "./types";

/** `GET /health` (public evidence) and `GET /metrics` (Prometheus text). */
export function registerHealthRoutes(app: KmsFastify, sources: { health: () => HealthResponse; metrics: KmsMetrics }): void {
  app.get(
    "/health",
    { schema: { summary: "Public evidence: network, identity and its quote, log and anchoring, taints", tags: ["operations"], response: { 200: HealthResponse } } },
    async (_request, reply) => {
      reply.header("cache-control", "no-store");
      return sources.health();
    },
  );

  app.get("/metrics", { schema: { summary: "Prometheus metrics", tags: ["operations"] } }, async (_request, reply) => {
    reply.header("content-type", sources.metrics.registry.contentType);
    return sources.metrics.registry.metrics();
  });
}

import Fastify, { type FastifyInstance } from "fastify";
import { DIRECT_MESSAGES, WATCH_HISTORY } from "./data";

/**
 * A toy social-network API for the demo (`npm start`), on loopback only:
 *   GET /v1/watch_history    what the users agreed to share with data-collection apps
 *   GET /v1/direct_messages  private data no app should ever read
 *   GET /v1/stats            how many times each endpoint has served its data
 * It has no authentication on purpose: in the demo, what protects the private endpoint is that
 * only code whose compose hash the maintainers approved gets the app's disk key, and the
 * approved build (examples/social-watch-history) calls only `watch_history`.
 */
export const SOCIAL_ENDPOINTS = ["watch_history", "direct_messages"] as const;
export type SocialEndpoint = (typeof SOCIAL_ENDPOINTS)[number];

export interface SocialRecords {
  endpoint: SocialEndpoint;
  records: readonly object[];
}

export type ServedCounts = Record<SocialEndpoint, number>;

export function isSocialEndpoint(name: string): name is SocialEndpoint {
  return (SOCIAL_ENDPOINTS as readonly string[]).includes(name);
}

const RECORDS: Record<SocialEndpoint, readonly object[]> = { watch_history: WATCH_HISTORY, direct_messages: DIRECT_MESSAGES };

/** The HTTP app (tests may `inject()` it); `served` counts each endpoint's answers. */
export function buildToySocialApi(served: ServedCounts): FastifyInstance {
  const app = Fastify({ logger: false });
  for (const endpoint of SOCIAL_ENDPOINTS) {
    app.get(`/v1/${endpoint}`, async (): Promise<SocialRecords> => {
      served[endpoint] += 1;
      return { endpoint, records: RECORDS[endpoint] };
    });
  }
  app.get("/v1/stats", async () => ({ served }));
  app.get("/", async () => ({ name: "toy social network", endpoints: SOCIAL_ENDPOINTS.map((endpoint) => `/v1/${endpoint}`) }));
  return app;
}

export interface ToySocialApi {
  url: string;
  /** A copy of the per-endpoint counters. */
  served(): ServedCounts;
  close(): Promise<void>;
}

export async function startToySocialApi(options: { host?: string; port?: number } = {}): Promise<ToySocialApi> {
  const served: ServedCounts = { watch_history: 0, direct_messages: 0 };
  const app = buildToySocialApi(served);
  const url = await app.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 0 });
  return { url, served: () => ({ ...served }), close: () => app.close() };
}

import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyReply, type FastifyRequest } from "fastify";
import type { NonceStore } from "./challenge";
import { httpErrorOf } from "./httpErrors";
import type { ReleaseLog, StoredCheckpoint } from "./log";
import type { KmsMetrics } from "./metrics";
import type { OnboardingService } from "./onboard/onboardService";
import type { KeyReleaseService } from "./release/keyRelease";
import type { RefusalStore } from "./release/refusalStore";
import { registerChallengeRoutes } from "./routes/challengeRoutes";
import { registerHealthRoutes } from "./routes/healthRoutes";
import { registerLogRoutes } from "./routes/logRoutes";
import { registerReleaseRoutes } from "./routes/releaseRoutes";
import type { KmsFastify } from "./routes/types";
import type { HealthResponse } from "./schemas";

/**
 * The whole KMS HTTP app, built from its dependencies: plugins (OpenAPI at /docs), routes,
 * then the error and 404 handlers. Every option lives here, so tests that call `inject()`
 * run exactly what `basekms kms serve` runs. `kms/server.ts` only opens stores and listens.
 */
export interface KmsAppDeps {
  logger: FastifyBaseLogger;
  nonces: NonceStore;
  keyRelease: KeyReleaseService;
  onboarding: OnboardingService;
  log: ReleaseLog;
  /** The newest signed checkpoint (recorded or about to be): `LogWriter.latestCheckpoint`. */
  latestCheckpoint: () => StoredCheckpoint | undefined;
  health: () => HealthResponse;
  metrics: KmsMetrics;
  refusals: RefusalStore;
  /** Largest accepted request body (default 64 KiB; larger is 413 BODY_TOO_LARGE). */
  bodyLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 64 * 1024;

export async function buildKmsApp(deps: KmsAppDeps): Promise<KmsFastify> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // One line per request at 1,000 requests/s is noise; releases and refusals log themselves.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: {
      info: { title: "basekms KMS", version: "1", description: "Attested key release with a public, anchored release log. See docs/protocol.md and docs/kms.md." },
      tags: [{ name: "key release" }, { name: "onboarding" }, { name: "release log" }, { name: "operations" }],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  registerChallengeRoutes(app, deps.nonces);
  registerReleaseRoutes(app, { keyRelease: deps.keyRelease, onboarding: deps.onboarding, metrics: deps.metrics });
  registerLogRoutes(app, deps.log, deps.latestCheckpoint);
  registerHealthRoutes(app, { health: deps.health, metrics: deps.metrics });

  app.addHook("onResponse", async (request, reply) => {
    const endpoint = request.routeOptions.config.refusalEndpoint;
    if (!endpoint) return;
    const outcome = reply.statusCode === 200 ? "released" : "refused";
    deps.metrics.duration.observe({ endpoint, outcome }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = httpErrorOf(error);
    const endpoint = request.routeOptions.config?.refusalEndpoint;
    if (status >= 500 && status !== 503) {
      request.log.error({ err: error, url: request.url }, "unexpected error; nothing was released");
    } else if (endpoint) {
      request.log.info({ errorCode: body.errorCode, status, endpoint }, "request refused");
    }
    if (endpoint) recordRefusal(deps, endpoint, status, body, request);
    return reply.code(status).header("cache-control", "no-store").send(body);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ errorCode: "NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}` }),
  );

  return app;
}

function recordRefusal(deps: KmsAppDeps, endpoint: string, status: number, body: { errorCode: string; message: string }, request: FastifyRequest): void {
  deps.metrics.refusals.inc({ code: body.errorCode, endpoint });
  try {
    deps.refusals.record({ at: Date.now(), endpoint, errorCode: body.errorCode, status, message: body.message, remoteAddress: request.ip });
  } catch (error) {
    request.log.warn({ err: error }, "could not record a refusal");
  }
}

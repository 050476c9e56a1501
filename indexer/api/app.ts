import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { LogController, type FastifyError, type FastifyReply, type FastifyRequest } from "fastify";
import { httpErrorOf } from "./httpErrors";
import { registerAppRoutes } from "./routes/appRoutes";
import { registerKmsRoutes } from "./routes/kmsRoutes";
import { registerLogRoutes } from "./routes/logRoutes";
import { registerStatusRoutes } from "./routes/statusRoutes";
import { registerWebRoutes } from "./routes/webRoutes";
import type { IndexerAppDeps, IndexerFastify } from "./types";

/**
 * The whole indexer HTTP app from its dependencies: OpenAPI at /docs, routes, then the error and
 * 404 handlers. Every option lives here, so tests that `inject()` run what `indexer serve` runs.
 */
export async function buildIndexerApp(deps: IndexerAppDeps): Promise<IndexerFastify> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: {
      info: { title: "basekms indexer", version: "1", description: "The policy contracts' history and a verified mirror of a KMS release log. See docs/indexer.md." },
      tags: [{ name: "apps" }, { name: "kms" }, { name: "release log" }, { name: "audit" }, { name: "operations" }],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url;
    if (route) deps.metrics.requestDuration.observe({ route }, reply.elapsedTime / 1000);
  });

  registerAppRoutes(app, deps);
  registerKmsRoutes(app, deps);
  registerLogRoutes(app, deps);
  registerStatusRoutes(app, deps);
  registerWebRoutes(app);

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = httpErrorOf(error);
    if (status >= 500) request.log.error({ err: error, url: request.url }, "request failed");
    return reply.code(status).header("cache-control", "no-store").send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ errorCode: "NOT_FOUND", message: `no route ${request.method} ${request.url.split("?")[0]}` }));
  return app;
}

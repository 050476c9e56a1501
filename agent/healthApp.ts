import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { Type } from "typebox";
import { tryFromHex } from "../core/bytes";
import { AgentError } from "./errors";
import { collectAgentEvidence } from "./health/evidence";
import { AgentEvidenceSchema } from "./health/evidenceSchema";
import { MAX_HEALTH_NONCE_LENGTH } from "./health/reportData";
import type { MeasurementProvider } from "./measure/provider";

/**
 * `basekms agent health`: the agent's own evidence at `GET /health` (see
 * `collectAgentEvidence`). Every option lives in this factory, so tests `inject()` into
 * exactly what production serves; `serveAgentHealth` only listens.
 */
export interface AgentHealthAppOptions {
  provider: MeasurementProvider;
  logger?: FastifyServerOptions["logger"];
}

const HealthQuery = Type.Object(
  { nonce: Type.Optional(Type.String({ pattern: `^(0x)?([0-9a-fA-F]{2}){0,${MAX_HEALTH_NONCE_LENGTH}}$` })) },
  { additionalProperties: false },
);

const ErrorBody = Type.Object({ errorCode: Type.String(), message: Type.String() });

export function buildAgentHealthApp(options: AgentHealthAppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1024,
    requestTimeout: 30_000,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  // One quote at a time: configfs-tsm serialises them anyway, and a burst of requests must
  // not become a burst of report directories.
  let quoteQueue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(task: () => Promise<T>): Promise<T> => {
    const run = quoteQueue.then(task, task);
    quoteQueue = run.catch(() => undefined);
    return run;
  };

  app.get<{ Querystring: { nonce?: string } }>(
    "/health",
    { schema: { querystring: HealthQuery, response: { 200: AgentEvidenceSchema, 400: ErrorBody, 503: ErrorBody } } },
    async (request, reply) => {
      const nonce = tryFromHex(request.query.nonce ?? "") ?? new Uint8Array(0);
      const evidence = await serialized(() => collectAgentEvidence(options.provider, nonce));
      return reply.header("cache-control", "no-store").send(evidence);
    },
  );

  app.setErrorHandler((error, request, reply) => {
    if ((error as { validation?: unknown }).validation) {
      return reply.status(400).send({ errorCode: "INPUT_INVALID", message: `nonce must be hex of at most ${MAX_HEALTH_NONCE_LENGTH} bytes` });
    }
    if (error instanceof AgentError) {
      const status = error.code === "INPUT_INVALID" ? 400 : 503;
      return reply.status(status).send({ errorCode: error.code, message: error.message });
    }
    request.log.error(error);
    return reply.status(500).send({ errorCode: "INTERNAL", message: "internal error" });
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ errorCode: "NOT_FOUND", message: `no route ${request.method} ${request.url}` }));
  return app;
}

/** Listens until closed; returns the bound address. */
export async function serveAgentHealth(app: FastifyInstance, host: string, port: number): Promise<string> {
  return app.listen({ host, port });
}

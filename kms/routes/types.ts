import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";

/** The KMS's fastify instance, typed by its TypeBox schemas. */
export type KmsFastify = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Routes whose refusals are counted and recorded (route config `refusalEndpoint`). */
export type RefusalEndpoint = "keys" | "onboard";

declare module "fastify" {
  interface FastifyContextConfig {
    refusalEndpoint?: RefusalEndpoint;
  }
}

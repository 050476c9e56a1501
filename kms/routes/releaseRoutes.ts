import type { OnboardingService } from "../onboard/onboardService";
import type { KeyReleaseService } from "../release/keyRelease";
import type { KmsMetrics } from "../metrics";
import { ErrorResponse, KeyRequestBody, KeyResponse, OnboardRequestBody, OnboardResponse } from "../schemas";
import type { KmsFastify } from "./types";

const refusalResponses = { 400: ErrorResponse, 403: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 503: ErrorResponse };

/**
 * `POST /v1/keys` and `POST /v1/onboard`. Handlers only run the services; every refusal is
 * thrown and mapped, counted and recorded by the app's error handler (kms/app.ts), so a
 * refusal from body parsing (413, 400) is handled exactly like one from the pipeline.
 */
export function registerReleaseRoutes(
  app: KmsFastify,
  services: { keyRelease: KeyReleaseService; onboarding: OnboardingService; metrics: KmsMetrics },
): void {
  app.post(
    "/v1/keys",
    {
      config: { refusalEndpoint: "keys" },
      schema: {
        summary: "Request the app's disk key with a TDX quote (docs/protocol.md §3-4)",
        tags: ["key release"],
        body: KeyRequestBody,
        response: { 200: KeyResponse, ...refusalResponses },
      },
    },
    async (request, reply) => {
      const released = await services.keyRelease.release(request.body);
      services.metrics.releases.inc({ endpoint: "keys" });
      request.log.info({ appId: released.appId, logIndex: released.logIndex }, "key released");
      reply.header("cache-control", "no-store");
      return released.response;
    },
  );

  app.post(
    "/v1/onboard",
    {
      config: { refusalEndpoint: "onboard" },
      schema: {
        summary: "A new KMS instance gets the root secret with a TDX quote of an allowed KMS measurement",
        tags: ["onboarding"],
        body: OnboardRequestBody,
        response: { 200: OnboardResponse, ...refusalResponses },
      },
    },
    async (request, reply) => {
      const onboarded = await services.onboarding.onboard(request.body);
      services.metrics.releases.inc({ endpoint: "onboard" });
      request.log.warn({ newKms: onboarded.newKms, measurement: onboarded.measurement, logIndex: onboarded.logIndex }, "root secret sealed to a joining KMS");
      reply.header("cache-control", "no-store");
      return onboarded.response;
    },
  );
}

import { toHex } from "../../core/bytes";
import type { NonceStore } from "../challenge";
import { ChallengeResponse, ErrorResponse } from "../schemas";
import type { KmsFastify } from "./types";

/** `GET /v1/challenge`: a single-use 32-byte nonce that lives 60 s (expiresAt in unix seconds). */
export function registerChallengeRoutes(app: KmsFastify, nonces: NonceStore): void {
  app.get(
    "/v1/challenge",
    {
      schema: {
        summary: "Get a single-use nonce for a key request or an onboarding",
        tags: ["key release"],
        response: { 200: ChallengeResponse, 503: ErrorResponse },
      },
    },
    async (_request, reply) => {
      const issued = nonces.issue();
      reply.header("cache-control", "no-store");
      // The store keeps milliseconds; the API speaks unix seconds (a nonce is valid through that second).
      return { nonce: toHex(issued.nonce), expiresAt: Math.floor(issued.expiresAt / 1000) };
    },
  );
}

import { describe, expect, it } from "vitest";
import { AgentError } from "../../agent/errors";
import { createKmsClient, kmsBaseUrl } from "../../agent/protocol/kmsClient";
import { backoffDelay, withRetry, DEFAULT_RETRY_POLICY } from "../../agent/retry";
import { composeRefusal } from "./helpers/fakeKms";

/** How the agent sorts KMS answers into transient and final, and how it backs off. */
function answering(status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch {
  return async () =>
    new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

async function challengeError(fetchImpl: typeof fetch): Promise<AgentError> {
  const error = await createKmsClient({ kmsUrl: "http://kms.test", fetch: fetchImpl }).getChallenge().catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(AgentError);
  return error as AgentError;
}

async function keyRequestError(fetchImpl: typeof fetch): Promise<AgentError> {
  const client = createKmsClient({ kmsUrl: "http://kms.test", fetch: fetchImpl });
  const error = await client.requestKey({ quote: "00", eventLog: [], agentPublicKey: "00", nonce: "00" }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(AgentError);
  return error as AgentError;
}

describe("KMS answers", () => {
  it.each([
    [503, "POLICY_UNAVAILABLE"],
    [503, "COLLATERAL_UNAVAILABLE"],
    [503, "LOG_APPEND_FAILED"],
    [429, "RATE_LIMITED"],
    [500, "INTERNAL"],
    [502, "BAD_GATEWAY"],
  ])("%i %s is KMS_UNAVAILABLE, transient, with the KMS's code", async (status, errorCode) => {
    const error = await challengeError(answering(status, { errorCode, message: "later" }));
    expect(error.code).toBe("KMS_UNAVAILABLE");
    expect(error.transient).toBe(true);
    expect(error.kmsErrorCode).toBe(errorCode);
  });

  it.each([
    [403, "COMPOSE_HASH_NOT_ALLOWED"],
    [403, "PLATFORM_NOT_ALLOWED"],
    [400, "REPORT_DATA_MISMATCH"],
    [409, "NONCE_REUSED"],
    [413, "BODY_TOO_LARGE"],
  ])("%i %s is KMS_REFUSED, final, with the KMS's code", async (status, errorCode) => {
    const error = await challengeError(answering(status, { errorCode, message: "no" }));
    expect(error.code).toBe("KMS_REFUSED");
    expect(error.transient).toBe(false);
    expect(error.kmsErrorCode).toBe(errorCode);
  });

  it("a refusal without a JSON body is still final: KMS_REFUSED", async () => {
    const error = await challengeError(answering(404, "not found"));
    expect(error.code).toBe("KMS_REFUSED");
    expect(error.kmsErrorCode).toBeUndefined();
  });

  it.each(["not-approved", "not-yet-active", "revoked", "unknown-app"] as const)(
    "a key request refused COMPOSE_HASH_NOT_ALLOWED (%s) keeps the KMS's reason",
    async (reason) => {
      const answer = composeRefusal(reason, `compose hash ${reason}`);
      const error = await keyRequestError(answering(answer.status, answer.body));
      expect(error.code).toBe("KMS_REFUSED");
      expect(error.transient).toBe(false);
      expect(error.httpStatus).toBe(403);
      expect(error.kmsErrorCode).toBe("COMPOSE_HASH_NOT_ALLOWED");
      expect(error.kmsReason).toBe(reason);
      expect(error.toJSON()).toEqual({ code: "KMS_REFUSED", message: error.message, kmsErrorCode: "COMPOSE_HASH_NOT_ALLOWED", kmsReason: reason });
    },
  );

  it("a refusal without a reason has no kmsReason, in the error or its JSON", async () => {
    const error = await keyRequestError(answering(403, { errorCode: "PLATFORM_NOT_ALLOWED", message: "unknown platform" }));
    expect(error.kmsErrorCode).toBe("PLATFORM_NOT_ALLOWED");
    expect(error.kmsReason).toBeUndefined();
    expect(error.toJSON()).toEqual({ code: "KMS_REFUSED", message: error.message, kmsErrorCode: "PLATFORM_NOT_ALLOWED" });
  });

  it.each([
    ["a terminal escape", "revoked\u001b[2J"],
    ["upper case", "REVOKED"],
    ["spaces", "was revoked"],
    ["65 characters", "a".repeat(65)],
    ["empty", ""],
    ["a number", 7],
    ["an object", { why: "revoked" }],
  ])("drops a reason that is %s, and keeps the refusal and its code", async (_label, reason) => {
    const error = await keyRequestError(answering(403, { errorCode: "COMPOSE_HASH_NOT_ALLOWED", message: "no", reason }));
    expect(error.code).toBe("KMS_REFUSED");
    expect(error.kmsErrorCode).toBe("COMPOSE_HASH_NOT_ALLOWED");
    expect(error.kmsReason).toBeUndefined();
  });

  it("no answer is KMS_UNREACHABLE, transient", async () => {
    const error = await challengeError(async () => {
      throw new TypeError("fetch failed");
    });
    expect(error.code).toBe("KMS_UNREACHABLE");
    expect(error.transient).toBe(true);
  });

  it("a redirect is not followed: KMS_RESPONSE_INVALID", async () => {
    const error = await challengeError(answering(302, "", { location: "http://elsewhere.test/" }));
    expect(error.code).toBe("KMS_RESPONSE_INVALID");
  });

  it.each([
    ["not JSON", "<html>"],
    ["a short nonce", { nonce: "00".repeat(16), expiresAt: 1 }],
    ["no expiry", { nonce: "00".repeat(32) }],
  ])("a challenge that is %s is KMS_RESPONSE_INVALID", async (_label, body) => {
    expect((await challengeError(answering(200, body))).code).toBe("KMS_RESPONSE_INVALID");
  });

  it("reads the KMS's Retry-After", async () => {
    const error = await challengeError(answering(503, { errorCode: "POLICY_UNAVAILABLE" }, { "retry-after": "7" }));
    expect(error.retryAfterMs).toBe(7000);
  });

  it("resolves endpoints under a KMS path prefix", () => {
    expect(new URL("v1/keys", kmsBaseUrl("https://kms.example/basekms")).toString()).toBe("https://kms.example/basekms/v1/keys");
    expect(() => kmsBaseUrl("ftp://kms.example")).toThrow(expect.objectContaining({ code: "INPUT_INVALID" }));
  });
});

describe("retry policy", () => {
  it("doubles the delay from the initial one up to the cap, with jitter between half and all of it", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(policy, attempt, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(backoffDelay(policy, 3, () => 0)).toBe(2000);
  });

  it("waits at least Retry-After, but never past the cap", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 5000 };
    expect(backoffDelay(policy, 1, () => 1, 3000)).toBe(3000);
    expect(backoffDelay(policy, 1, () => 1, 60_000)).toBe(5000);
  });

  it("rethrows a final error at once, without sleeping", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const refusal = new AgentError("KMS_REFUSED", "no", { kmsErrorCode: "COMPOSE_HASH_NOT_ALLOWED" });
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw refusal;
        },
        { policy: DEFAULT_RETRY_POLICY, what: "test", sleep: async (ms) => void sleeps.push(ms) },
      ),
    ).rejects.toBe(refusal);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("keeps the KMS's code and reason when it gives up on a transient failure", async () => {
    const unavailable = new AgentError("KMS_UNAVAILABLE", "later", { kmsErrorCode: "POLICY_UNAVAILABLE", kmsReason: "rpc-down", httpStatus: 503 });
    const error = await withRetry(
      async () => {
        throw unavailable;
      },
      { policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 }, what: "test", sleep: async () => {} },
    ).catch((caught: unknown) => caught as AgentError);
    expect(error).not.toBe(unavailable);
    expect(error.message).toContain("gave up after 2 attempt(s)");
    expect(error).toMatchObject({ code: "KMS_UNAVAILABLE", kmsErrorCode: "POLICY_UNAVAILABLE", kmsReason: "rpc-down", httpStatus: 503 });
  });

  it("rethrows an error that is not an AgentError at once", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw new RangeError("bug");
        },
        { policy: DEFAULT_RETRY_POLICY, what: "test", sleep: async () => {} },
      ),
    ).rejects.toBeInstanceOf(RangeError);
    expect(calls).toBe(1);
  });

  it("refuses a policy that cannot work: INPUT_INVALID", async () => {
    await expect(withRetry(async () => 1, { policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 0 }, what: "test" })).rejects.toMatchObject({
      code: "INPUT_INVALID",
    });
  });
});

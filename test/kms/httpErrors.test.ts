import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AttestationError } from "../../core/attestation/errors";
import { CryptoError } from "../../core/crypto/errors";
import { ReleaseLogError } from "../../core/releaseLog/errors";
import { KmsError } from "../../kms/errors";
import { HTTP_STATUS_BY_CODE, httpErrorOf } from "../../kms/httpErrors";

/** The one code → status table: every refusal is a 4xx, only "try again later" is a 503, and nothing else is a 5xx. */
function codesOfUnion(file: string, typeName: string): string[] {
  const source = fs.readFileSync(path.join(__dirname, "../..", file), "utf8");
  const start = source.indexOf(`export type ${typeName} =`);
  const end = source.indexOf(";", start);
  return [...source.slice(start, end).matchAll(/"([A-Z_]+)"/g)].map((match) => match[1] as string);
}

describe("httpErrorOf", () => {
  it("maps every attestation refusal code to 400 or 403, except COLLATERAL_UNAVAILABLE (503)", () => {
    const codes = codesOfUnion("core/attestation/errors.ts", "AttestationErrorCode").filter((code) => code !== "APP_COMPOSE_MALFORMED");
    expect(codes.length).toBeGreaterThan(40);
    for (const code of codes) {
      const { status, body } = httpErrorOf(new AttestationError(code as never, "refused"));
      expect(body.errorCode, code).toBe(code);
      expect(status === 400 || status === 403 || (code === "COLLATERAL_UNAVAILABLE" && status === 503), code).toBe(true);
    }
  });

  it("maps the KMS's request refusals to 4xx and POLICY_UNAVAILABLE / LOG_APPEND_FAILED to 503", () => {
    for (const code of ["NONCE_UNKNOWN", "NONCE_EXPIRED", "NONCE_REUSED", "PLATFORM_NOT_ALLOWED", "TCB_STATUS_NOT_ALLOWED", "COMPOSE_HASH_NOT_ALLOWED", "KMS_MEASUREMENT_NOT_ALLOWED"] as const) {
      expect(httpErrorOf(new KmsError(code, "refused")).status, code).toBe(403);
    }
    expect(httpErrorOf(new KmsError("REQUEST_MALFORMED", "bad")).status).toBe(400);
    expect(httpErrorOf(new CryptoError("REPORT_DATA_MISMATCH", "bad")).status).toBe(403);
    expect(httpErrorOf(new KmsError("POLICY_UNAVAILABLE", "later")).status).toBe(503);
    expect(httpErrorOf(new ReleaseLogError("LOG_APPEND_FAILED", "later")).status).toBe(503);
    expect(httpErrorOf(new ReleaseLogError("LOG_RANGE_INVALID", "bad")).status).toBe(400);
  });

  it("carries the compose-hash refusal reason in the body", () => {
    const { body } = httpErrorOf(new KmsError("COMPOSE_HASH_NOT_ALLOWED", "no", { details: { reason: "revoked" } }));
    expect(body).toEqual({ errorCode: "COMPOSE_HASH_NOT_ALLOWED", message: "no", reason: "revoked" });
  });

  it("maps fastify's body errors: too large → 413 BODY_TOO_LARGE, bad JSON → 400 REQUEST_MALFORMED", () => {
    expect(httpErrorOf(Object.assign(new Error("big"), { code: "FST_ERR_CTP_BODY_TOO_LARGE", statusCode: 413 }))).toMatchObject({ status: 413, body: { errorCode: "BODY_TOO_LARGE" } });
    expect(httpErrorOf(Object.assign(new Error("json"), { code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 }))).toMatchObject({ status: 400, body: { errorCode: "REQUEST_MALFORMED" } });
    expect(httpErrorOf(Object.assign(new Error("schema"), { validation: [{}] }))).toMatchObject({ status: 400, body: { errorCode: "REQUEST_MALFORMED" } });
  });

  it("answers anything unexpected with 500 INTERNAL_ERROR, without its message", () => {
    const { status, body } = httpErrorOf(new Error("secret 0xdeadbeef in a stack"));
    expect(status).toBe(500);
    expect(body.errorCode).toBe("INTERNAL_ERROR");
    expect(body.message).not.toContain("deadbeef");
  });

  it("has exactly five 5xx codes, all 503", () => {
    const fiveHundreds = [...HTTP_STATUS_BY_CODE].filter(([, status]) => status >= 500);
    expect(fiveHundreds).toEqual([["POLICY_UNAVAILABLE", 503], ["COLLATERAL_UNAVAILABLE", 503], ["LOG_APPEND_FAILED", 503], ["WORKER_UNAVAILABLE", 503], ["KMS_NOT_REGISTERED", 503]]);
  });
});

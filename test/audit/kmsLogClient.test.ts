import { describe, expect, it } from "vitest";
import { createKmsLogClient, fetchEntries } from "../../core/audit";

/** The log client against hostile or broken servers: typed errors, never a crash. */
function serverAnswering(answers: Record<string, { status?: number; body: unknown }>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    const answer = answers[url.pathname] ?? { status: 404, body: { errorCode: "NOT_FOUND" } };
    return new Response(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body), { status: answer.status ?? 200 });
  }) as typeof fetch;
}

const client = (answers: Record<string, { status?: number; body: unknown }>) => createKmsLogClient({ baseUrl: "http://kms.test/", fetch: serverAnswering(answers) });
const goodCheckpoint = { treeSize: 3, rootHash: `0x${"ab".repeat(32)}`, kms: `0x${"CD".repeat(20)}`, signature: `0x${"01".repeat(65)}` };

describe("createKmsLogClient", () => {
  it("reads a checkpoint, lowercasing the KMS address", async () => {
    const head = await client({ "/v1/log/checkpoint": { body: goodCheckpoint } }).checkpoint();
    expect(head.kms).toBe(`0x${"cd".repeat(20)}`);
    expect(head.rootHash).toHaveLength(32);
  });

  it.each([
    ["a root of the wrong length", { ...goodCheckpoint, rootHash: "0xabcd" }],
    ["a negative tree size", { ...goodCheckpoint, treeSize: -1 }],
    ["a missing signature", { treeSize: 3, rootHash: goodCheckpoint.rootHash, kms: goodCheckpoint.kms }],
    ["not an object", [1, 2, 3]],
  ])("refuses a checkpoint with %s as AUDIT_KMS_RESPONSE_INVALID", async (_name, body) => {
    await expect(client({ "/v1/log/checkpoint": { body } }).checkpoint()).rejects.toMatchObject({ code: "AUDIT_KMS_RESPONSE_INVALID" });
  });

  it("refuses a body that is not JSON as AUDIT_KMS_RESPONSE_INVALID", async () => {
    await expect(client({ "/v1/log/checkpoint": { body: "<html>" } }).checkpoint()).rejects.toMatchObject({ code: "AUDIT_KMS_RESPONSE_INVALID" });
  });

  it("reports a non-2xx answer and an unreachable server as AUDIT_KMS_UNAVAILABLE", async () => {
    await expect(client({ "/v1/log/checkpoint": { status: 503, body: { errorCode: "X" } } }).checkpoint()).rejects.toMatchObject({ code: "AUDIT_KMS_UNAVAILABLE" });
    await expect(createKmsLogClient({ baseUrl: "http://127.0.0.1:1" }).checkpoint()).rejects.toMatchObject({ code: "AUDIT_KMS_UNAVAILABLE" });
  });

  it("refuses proofs holding hashes that are not 32 bytes", async () => {
    await expect(client({ "/v1/log/proof/consistency": { body: { proof: ["abcd"] } } }).consistencyProof(1, 2)).rejects.toMatchObject({ code: "AUDIT_KMS_RESPONSE_INVALID" });
  });
});

describe("fetchEntries", () => {
  it("stops when a page does not move forward instead of looping", async () => {
    const entry = { index: 0, leafHash: "00".repeat(32), leaf: "{}" };
    const entries = await fetchEntries(client({ "/v1/log/entries": { body: { entries: [entry] } } }), 0, 5);
    expect(entries.map((served) => served.index)).toEqual([0]);
  });
});

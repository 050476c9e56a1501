import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex, toHex0x } from "../../core/bytes";
import { sha256 } from "../../core/hash";
import { composeHash } from "../../core/attestation/composeHash";
import { parseQuote } from "../../core/attestation/quote";
import { keyRequestReportData } from "../../core/crypto";
import { AgentError } from "../../agent/errors";
import { createSimulatorProvider } from "../../agent/measure/simulatorProvider";
import { startAgentChain, type AgentChain } from "./helpers/agentChain";
import { APP_COMPOSE, APP_ID, INSTANCE_ID, registeredKmsBench, runBoot, type AgentBench } from "./helpers/bootFixture";
import { composeRefusal, expectedDiskKey, kmsRefusal, type FakeKms } from "./helpers/fakeKms";

/**
 * `bootAgent` end to end against a fake KMS (docs/protocol.md happy path with real leaves,
 * tree, HPKE and checkpoint signatures) and a real Hardhat node holding the KMS registry.
 */
let chain: AgentChain;
let bench: AgentBench;
const kmsServers: FakeKms[] = [];

beforeAll(async () => {
  chain = await startAgentChain();
  bench = await registeredKmsBench(chain);
});

afterAll(async () => {
  await Promise.all(kmsServers.map((kms) => kms.close()));
  await chain?.stop();
});

async function startKms(...args: Parameters<AgentBench["startKms"]>): Promise<FakeKms> {
  const kms = await bench.startKms(...args);
  kmsServers.push(kms);
  return kms;
}

function expectAgentError(error: unknown, code: string): AgentError {
  expect(error).toBeInstanceOf(AgentError);
  expect((error as AgentError).code).toBe(code);
  return error as AgentError;
}

describe("bootAgent: allowed release", () => {
  it("opens exactly the disk key the KMS derived for this app and instance", async () => {
    const kms = await startKms();
    const run = await runBoot(bench, kms);
    expect(run.error).toBeUndefined();
    const result = run.result!;
    const wanted = expectedDiskKey(bench.rootSecret, {
      chainId: chain.deployment.chainId,
      appRegistry: chain.deployment.contracts.AppRegistry.address as `0x${string}`,
      appId: APP_ID,
      instanceId: INSTANCE_ID,
    });
    expect(toHex(result.diskKey)).toBe(toHex(wanted));
    expect(result.kms).toBe(bench.kmsIdentity.address);
    expect(result.attempts).toBe(1);
    expect(result.leaf.composeHash).toBe(toHex(composeHash(APP_COMPOSE)));
    expect(result.receipt.logIndex).toBeGreaterThan(0);
  });

  it("sends the protocol's request: a quote whose report_data binds the nonce and agent key, and the dstack event log", async () => {
    const kms = await startKms();
    const run = await runBoot(bench, kms);
    expect(run.error).toBeUndefined();
    expect(kms.keyRequests).toHaveLength(1);
    const request = kms.keyRequests[0]!;
    expect(Object.keys(request).sort()).toEqual(["agentPublicKey", "eventLog", "nonce", "quote"]);
    expect(request.nonce).toBe(kms.issuedNonces[0]);
    for (const field of [request.quote, request.agentPublicKey, request.nonce]) expect(field).toMatch(/^[0-9a-f]+$/);
    const body = parseQuote(Buffer.from(request.quote, "hex")).body;
    expect(toHex(body.reportData)).toBe(toHex(keyRequestReportData(Buffer.from(request.nonce, "hex"), Buffer.from(request.agentPublicKey, "hex"))));
    expect(request.eventLog.map((event: any) => event.event)).toEqual(["app-id", "compose-hash", "instance-id"]);
    expect(request.eventLog[0]).toMatchObject({ imr: 3, event_type: 0x08000001, event_payload: toHex(APP_ID) });
    expect(run.result!.leaf.agentKeySha256).toBe(toHex(sha256(Buffer.from(request.agentPublicKey, "hex"))));
  });

  it("boots twice in one boot without measuring twice, and gets the same key", async () => {
    const kms = await startKms();
    const provider = createSimulatorProvider();
    const first = await runBoot(bench, kms, { provider });
    const second = await runBoot(bench, kms, { provider });
    expect(second.error).toBeUndefined();
    expect(provider.eventLog()).toHaveLength(3);
    expect(toHex(second.result!.diskKey)).toBe(toHex(first.result!.diskKey));
    expect(second.log.lines.some((line) => line.includes("not extending again"))).toBe(true);
  });

  it("warns loudly that simulator quotes are sandbox only", async () => {
    const kms = await startKms();
    const run = await runBoot(bench, kms);
    expect(run.log.lines.some((line) => line.startsWith("warn: SANDBOX ONLY") && line.includes("simulator-quotes"))).toBe(true);
  });

  it("never logs the disk key", async () => {
    const kms = await startKms();
    const run = await runBoot(bench, kms);
    const keyHex = toHex(run.result!.diskKey);
    expect(run.log.lines.join("\n")).not.toContain(keyHex);
  });
});

describe("bootAgent: retry policy", () => {
  it("retries a 503 POLICY_UNAVAILABLE with a fresh challenge, nonce and agent key, then succeeds", async () => {
    const kms = await startKms({ keyScript: [kmsRefusal(503, "POLICY_UNAVAILABLE", "rpc down")] });
    const run = await runBoot(bench, kms);
    expect(run.error).toBeUndefined();
    expect(run.result!.attempts).toBe(2);
    expect(kms.keyRequests).toHaveLength(2);
    const [first, second] = kms.keyRequests;
    expect(first!.nonce).not.toBe(second!.nonce);
    expect(first!.agentPublicKey).not.toBe(second!.agentPublicKey);
    expect(first!.quote).not.toBe(second!.quote);
    expect(kms.issuedNonces).toEqual([first!.nonce, second!.nonce]);
    expect(run.sleeps).toEqual([100]);
    expect(run.log.lines.some((line) => line.includes("attempt 1/4") && line.includes("POLICY_UNAVAILABLE") && line.includes("fresh challenge"))).toBe(true);
  });

  it.each(["COLLATERAL_UNAVAILABLE", "LOG_APPEND_FAILED"])("retries a 503 %s", async (errorCode) => {
    const kms = await startKms({ keyScript: [kmsRefusal(503, errorCode, "later")] });
    const run = await runBoot(bench, kms);
    expect(run.error).toBeUndefined();
    expect(kms.keyRequests).toHaveLength(2);
  });

  it("retries a 429 and waits at least its Retry-After", async () => {
    const kms = await startKms({ keyScript: [{ status: 429, body: { errorCode: "RATE_LIMITED", message: "slow down" }, headers: { "retry-after": "3" } }] });
    const run = await runBoot(bench, kms);
    expect(run.error).toBeUndefined();
    expect(run.sleeps).toEqual([3000]);
  });

  it("retries when the KMS does not answer", async () => {
    const kms = await startKms();
    let calls = 0;
    const flakyFetch: typeof fetch = async (input, init) => {
      calls += 1;
      if (calls === 1) throw new TypeError("fetch failed", { cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }) });
      return fetch(input, init);
    };
    const run = await runBoot(bench, kms, { fetch: flakyFetch });
    expect(run.error).toBeUndefined();
    expect(run.log.lines.some((line) => line.includes("KMS_UNREACHABLE") && line.includes("ECONNREFUSED"))).toBe(true);
  });

  it("backs off exponentially and gives up after maxAttempts with KMS_UNAVAILABLE", async () => {
    const down = kmsRefusal(503, "POLICY_UNAVAILABLE", "rpc down");
    const kms = await startKms({ keyScript: [down, down, down, down] });
    const run = await runBoot(bench, kms);
    const error = expectAgentError(run.error, "KMS_UNAVAILABLE");
    expect(error.kmsErrorCode).toBe("POLICY_UNAVAILABLE");
    expect(error.message).toContain("gave up after 4 attempt(s)");
    expect(kms.keyRequests).toHaveLength(4);
    expect(run.sleeps).toEqual([100, 200, 400]);
  });

  it("never retries a policy refusal: one request, and the KMS's errorCode and reason", async () => {
    const kms = await startKms({ keyScript: [composeRefusal("revoked", "compose hash was revoked at block 12")] });
    const run = await runBoot(bench, kms);
    const error = expectAgentError(run.error, "KMS_REFUSED");
    expect(error.kmsErrorCode).toBe("COMPOSE_HASH_NOT_ALLOWED");
    expect(error.kmsReason).toBe("revoked");
    expect(error.httpStatus).toBe(403);
    expect(error.message).toContain("was revoked at block 12");
    expect(kms.keyRequests).toHaveLength(1);
    expect(run.sleeps).toEqual([]);
  });

  it("never retries a 400 refusal either (NONCE_EXPIRED)", async () => {
    const kms = await startKms({ keyScript: [kmsRefusal(400, "NONCE_EXPIRED", "too slow")] });
    const run = await runBoot(bench, kms);
    const error = expectAgentError(run.error, "KMS_REFUSED");
    expect(error.kmsErrorCode).toBe("NONCE_EXPIRED");
    expect(error.kmsReason).toBeUndefined();
    expect(kms.keyRequests).toHaveLength(1);
  });
});

describe("bootAgent: inputs", () => {
  it("refuses app-compose text that is not JSON: INPUT_INVALID, before any request", async () => {
    const kms = await startKms();
    const run = await runBoot(bench, kms, { appCompose: "{ not json" });
    expectAgentError(run.error, "INPUT_INVALID");
    expect(kms.issuedNonces).toHaveLength(0);
  });

  it("hashes app-compose text and the parsed object the same way (JCS)", async () => {
    const kms = await startKms();
    const text = JSON.stringify(APP_COMPOSE, Object.keys(APP_COMPOSE).reverse(), 4);
    const run = await runBoot(bench, kms, { appCompose: text });
    expect(run.error).toBeUndefined();
    expect(toHex(run.result!.identity.composeHash)).toBe(toHex(composeHash(APP_COMPOSE)));
    expect(run.result!.leaf.appId).toBe(toHex0x(APP_ID));
  });
});

import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { fromHex, toHex } from "../../core/bytes";
import { generateAgentKeyPair } from "../../core/crypto/hpke";
import { keyRequestReportData } from "../../core/crypto/keyRequestBinding";
import type { RunningKms } from "../../kms/server";
import { type TestChain, startTestChain } from "./testbedChain";
import {
  type HttpAnswer,
  SIMULATOR_PLATFORM_HASH,
  buildKeyRequest,
  getChallenge,
  makeAgentVm,
  postJson,
  requestKey,
  startTestKms,
  testComposeHash,
} from "./testbedKms";

/** Every refusal of POST /v1/keys, each with its stable code; none releases anything. */
let chain: TestChain;
let kms: RunningKms;
let appId: Hex;
let slowAppId: Hex;
const allowed = testComposeHash("refusals-allowed");
const instanceId = fromHex("22".repeat(20));
const keysUrl = () => `${kms.url}/v1/keys`;

async function confirm(): Promise<void> {
  await chain.mine(1);
  await kms.policyBlocks.refresh();
}

function expectRefused(answer: HttpAnswer, status: number, code: string, reason?: string): void {
  expect(answer.json.errorCode, JSON.stringify(answer.json)).toBe(code);
  expect(answer.status).toBe(status);
  expect(answer.json.sealedKey).toBeUndefined();
  if (reason) expect(answer.json.reason).toBe(reason);
}

beforeAll(async () => {
  chain = await startTestChain();
  kms = await startTestKms(chain);
  await chain.governance.allowPlatform(SIMULATOR_PLATFORM_HASH);
  appId = await chain.apps.register([1, 2], 1, 0);
  slowAppId = await chain.apps.register([1, 2], 1, 3600);
  await chain.apps.approve(appId, allowed, [1]);
  await confirm();
});

afterAll(async () => {
  await kms?.close();
  await chain?.stop();
});

describe("POST /v1/keys refuses, with a stable code and no key", () => {
  it("refuses a compose hash from the first confirmed block after its revocation (COMPOSE_HASH_NOT_ALLOWED, revoked)", async () => {
    const revoked = testComposeHash("refusals-revoked");
    await chain.apps.approve(appId, revoked, [1]);
    await confirm();
    const vm = () => makeAgentVm({ appId, composeHash: revoked, instanceId });
    expect((await requestKey(kms.url, vm())).status).toBe(200);
    await chain.apps.revoke(appId, revoked, 2);
    await kms.policyBlocks.refresh();
    // The revocation's block is not confirmed yet (confirmations = 1): policy still reads the block before it.
    expect((await requestKey(kms.url, vm())).status).toBe(200);
    await confirm();
    expectRefused(await requestKey(kms.url, vm()), 403, "COMPOSE_HASH_NOT_ALLOWED", "revoked");
  });

  it("refuses a compose hash whose notice period has not passed (COMPOSE_HASH_NOT_ALLOWED, not-yet-active)", async () => {
    const pending = testComposeHash("refusals-pending");
    await chain.apps.approve(slowAppId, pending, [2]);
    await confirm();
    expectRefused(await requestKey(kms.url, makeAgentVm({ appId: slowAppId, composeHash: pending, instanceId })), 403, "COMPOSE_HASH_NOT_ALLOWED", "not-yet-active");
  });

  it("refuses a compose hash never approved for the app (COMPOSE_HASH_NOT_ALLOWED, not-approved)", async () => {
    const vm = makeAgentVm({ appId, composeHash: testComposeHash("refusals-never-approved"), instanceId });
    expectRefused(await requestKey(kms.url, vm), 403, "COMPOSE_HASH_NOT_ALLOWED", "not-approved");
  });

  it("refuses an app id that no one registered (COMPOSE_HASH_NOT_ALLOWED, unknown-app)", async () => {
    const vm = makeAgentVm({ appId: `0x${"5a".repeat(20)}`, composeHash: allowed, instanceId });
    expectRefused(await requestKey(kms.url, vm), 403, "COMPOSE_HASH_NOT_ALLOWED", "unknown-app");
  });

  it("refuses a platform hash governance has not allowed (PLATFORM_NOT_ALLOWED)", async () => {
    const vm = makeAgentVm({ appId, composeHash: allowed, instanceId }, { measurements: { mrTd: new Uint8Array(48).fill(7) } });
    expectRefused(await requestKey(kms.url, vm), 403, "PLATFORM_NOT_ALLOWED");
  });

  it("refuses a TCB status governance does not accept (TCB_STATUS_NOT_ALLOWED), and releases once it is accepted", async () => {
    // Module SVN 5 and TDX components one below the platform: the simulator's OutOfDate level.
    const outOfDate = { quoteOverrides: { teeTcbSvn: Uint8Array.of(5, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) } };
    const vm = () => makeAgentVm({ appId, composeHash: allowed, instanceId }, outOfDate);
    expectRefused(await requestKey(kms.url, vm()), 403, "TCB_STATUS_NOT_ALLOWED");
    await chain.governance.setTcbMask(0b10001); // UpToDate | OutOfDate
    await confirm();
    const answer = await requestKey(kms.url, vm());
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(JSON.parse((answer.json.receipt as { leaf: string }).leaf).tcbStatus).toBe("OutOfDate");
    await chain.governance.setTcbMask(0b1);
    await confirm();
  });

  it("refuses a debug TD (TD_DEBUG)", async () => {
    const vm = makeAgentVm({ appId, composeHash: allowed, instanceId }, { quoteOverrides: { tdAttributes: fromHex("0100001000000000") } });
    expectRefused(await requestKey(kms.url, vm), 403, "TD_DEBUG");
  });

  it("refuses an event log that does not replay to the quote's RTMR3 (EVENT_LOG_MISMATCH)", async () => {
    const { nonce } = await getChallenge(kms.url);
    const request = await buildKeyRequest(makeAgentVm({ appId, composeHash: allowed, instanceId }), nonce);
    request.body.eventLog = makeAgentVm({ appId, composeHash: testComposeHash("refusals-other"), instanceId }).eventLog();
    expectRefused(await postJson(keysUrl(), request.body), 403, "EVENT_LOG_MISMATCH");
  });

  it("refuses a quote whose report_data does not bind the nonce and the agent key (REPORT_DATA_MISMATCH)", async () => {
    const { nonce } = await getChallenge(kms.url);
    const request = await buildKeyRequest(makeAgentVm({ appId, composeHash: allowed, instanceId }), nonce);
    const other = await generateAgentKeyPair();
    request.body.agentPublicKey = toHex(other.publicKey);
    expectRefused(await postJson(keysUrl(), request.body), 403, "REPORT_DATA_MISMATCH");
  });

  it("refuses a nonce this KMS never issued (NONCE_UNKNOWN)", async () => {
    const request = await buildKeyRequest(makeAgentVm({ appId, composeHash: allowed, instanceId }), "77".repeat(32));
    expectRefused(await postJson(keysUrl(), request.body), 403, "NONCE_UNKNOWN");
  });

  it("refuses a nonce used before, even with a fresh quote (NONCE_REUSED)", async () => {
    const vm = makeAgentVm({ appId, composeHash: allowed, instanceId });
    const { nonce } = await getChallenge(kms.url);
    expect((await postJson(keysUrl(), (await buildKeyRequest(vm, nonce)).body)).status).toBe(200);
    expectRefused(await postJson(keysUrl(), (await buildKeyRequest(vm, nonce)).body), 403, "NONCE_REUSED");
  });

  it("refuses a nonce past its lifetime (NONCE_EXPIRED)", async () => {
    const shortLived = await startTestKms(chain, { start: { challengeTtlMs: 400 } });
    try {
      const { nonce } = await getChallenge(shortLived.url);
      const request = await buildKeyRequest(makeAgentVm({ appId, composeHash: allowed, instanceId }), nonce);
      // Past expiry (400 ms) but before the store forgets the nonce (expiry + 400 ms).
      await new Promise((resolve) => setTimeout(resolve, 600));
      expectRefused(await postJson(`${shortLived.url}/v1/keys`, request.body), 403, "NONCE_EXPIRED");
    } finally {
      await shortLived.close();
    }
  });

  it("refuses a quote whose signature does not verify (QUOTE_SIGNATURE_INVALID)", async () => {
    const { nonce } = await getChallenge(kms.url);
    const request = await buildKeyRequest(makeAgentVm({ appId, composeHash: allowed, instanceId }), nonce);
    const quote = fromHex(request.body.quote);
    const inMrTd = 48 + 16 + 48 + 48 + 8 + 8 + 8 + 10; // header, then TD report fields up to MRTD
    quote[inMrTd] = (quote[inMrTd] as number) ^ 1;
    request.body.quote = toHex(quote);
    expectRefused(await postJson(keysUrl(), request.body), 403, "QUOTE_SIGNATURE_INVALID");
  });

  it("refuses a body over the 64 KiB limit (413 BODY_TOO_LARGE)", async () => {
    const answer = await postJson(keysUrl(), { quote: "00".repeat(40_000), eventLog: [], agentPublicKey: "00".repeat(32), nonce: "00".repeat(32) });
    expectRefused(answer, 413, "BODY_TOO_LARGE");
  });

  it("refuses malformed bodies (400 REQUEST_MALFORMED): bad JSON, a missing field, bad hex, an unknown member", async () => {
    const { nonce } = await getChallenge(kms.url);
    const { body } = await buildKeyRequest(makeAgentVm({ appId, composeHash: allowed, instanceId }), nonce);
    expectRefused(await postJson(keysUrl(), "{not json"), 400, "REQUEST_MALFORMED");
    expectRefused(await postJson(keysUrl(), { ...body, nonce: undefined }), 400, "REQUEST_MALFORMED");
    expectRefused(await postJson(keysUrl(), { ...body, agentPublicKey: "zz".repeat(32) }), 400, "REQUEST_MALFORMED");
    expectRefused(await postJson(keysUrl(), { ...body, extra: 1 }), 400, "REQUEST_MALFORMED");
    expectRefused(await postJson(keysUrl(), { ...body, quote: `${body.quote.slice(0, -2)}zz` }), 400, "REQUEST_MALFORMED");
    expectRefused(await postJson(keysUrl(), { ...body, quote: body.quote.slice(0, -1) }), 400, "REQUEST_MALFORMED");
    expectRefused(await postJson(keysUrl(), { ...body, quote: "" }), 400, "REQUEST_MALFORMED");
    expectRefused(await postJson(keysUrl(), { ...body, quote: body.quote.slice(0, 200) }), 400, "QUOTE_TRUNCATED");
  });

  it("refuses a body that is not JSON (415 UNSUPPORTED_MEDIA_TYPE)", async () => {
    const response = await fetch(keysUrl(), { method: "POST", headers: { "content-type": "application/xml" }, body: "<quote/>" });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers unknown routes with 404 NOT_FOUND", async () => {
    const response = await fetch(`${kms.url}/v1/nothing`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe("NOT_FOUND");
  });
});

describe("refusals are counted, recorded locally, and never logged as releases", () => {
  it("counts refusals by code in metrics and writes them to the refusals table, not the Merkle log", async () => {
    const sizeBefore = kms.log.size();
    const vm = makeAgentVm({ appId, composeHash: testComposeHash("refusals-counted"), instanceId });
    expectRefused(await requestKey(kms.url, vm), 403, "COMPOSE_HASH_NOT_ALLOWED");
    expect(kms.log.size()).toBe(sizeBefore);
    const metrics = await (await fetch(`${kms.url}/metrics`)).text();
    expect(metrics).toMatch(/basekms_refusals_total\{code="NONCE_REUSED",endpoint="keys"\} 1/);
    expect(metrics).toMatch(/basekms_refusals_total\{code="COMPOSE_HASH_NOT_ALLOWED",endpoint="keys"\} [5-9]/);
    const db = new Database(path.join(kms.config.dataDir, "refusals.sqlite"), { readonly: true });
    try {
      const codes = db.prepare("SELECT error_code FROM refusals").pluck().all() as string[];
      for (const code of ["COMPOSE_HASH_NOT_ALLOWED", "PLATFORM_NOT_ALLOWED", "TCB_STATUS_NOT_ALLOWED", "TD_DEBUG", "EVENT_LOG_MISMATCH", "REPORT_DATA_MISMATCH", "NONCE_UNKNOWN", "NONCE_REUSED", "BODY_TOO_LARGE", "REQUEST_MALFORMED"]) {
        expect(codes).toContain(code);
      }
    } finally {
      db.close();
    }
  });

  it("a refused request's quote is useless afterwards: its nonce is burnt", async () => {
    const { nonce } = await getChallenge(kms.url);
    const keyPair = await generateAgentKeyPair();
    const vm = makeAgentVm({ appId, composeHash: testComposeHash("refusals-burnt"), instanceId });
    const body = { quote: toHex(vm.getQuote(keyRequestReportData(fromHex(nonce), keyPair.publicKey))), eventLog: vm.eventLog(), agentPublicKey: toHex(keyPair.publicKey), nonce };
    expectRefused(await postJson(keysUrl(), body), 403, "COMPOSE_HASH_NOT_ALLOWED");
    expectRefused(await postJson(keysUrl(), body), 403, "NONCE_REUSED");
  });
});

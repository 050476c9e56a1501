import fs, { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { dstackEventDigest, verifyEventLog } from "../../core/attestation/eventlog";
import { parseQuote } from "../../core/attestation/quote";
import { AgentError } from "../../agent/errors";
import { appComposeHash, type AppIdentity } from "../../agent/identity";
import { getBoundQuote } from "../../agent/measure/boundQuote";
import { measureApp } from "../../agent/measure/measureApp";
import { createTsmProvider } from "../../agent/measure/tsmProvider";
import { createFakeTdxKernel, type FakeTdxKernel, type FakeTdxKernelOptions } from "./helpers/fakeTdxKernel";
import { APP_COMPOSE, APP_ID, INSTANCE_ID } from "./helpers/bootFixture";

/**
 * The `tsm` provider (sysfs RTMR3 + configfs-tsm quotes) against a temporary directory laid
 * out like a TDX guest, with a file system that plays the kernel's part.
 */
const IDENTITY: AppIdentity = { appId: APP_ID, composeHash: appComposeHash(APP_COMPOSE), instanceId: INSTANCE_ID };
const REPORT_DATA = new Uint8Array(64).fill(0x5a);
const temporaryDirs: string[] = [];

afterEach(() => {
  for (const dir of temporaryDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function kernel(options: FakeTdxKernelOptions = {}): FakeTdxKernel {
  const root = mkdtempSync(path.join(tmpdir(), "basekms-agent-tsm-"));
  temporaryDirs.push(root);
  return createFakeTdxKernel(root, options);
}

function providerOn(fake: FakeTdxKernel, eventLogFile: string | null = null) {
  return createTsmProvider({ rtmr3Path: fake.rtmr3Path, reportRoot: fake.reportRoot, fileSystem: fake.fileSystem, eventLogFile });
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<AgentError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AgentError);
  expect((error as AgentError).code).toBe(code);
  return error as AgentError;
}

describe("tsm provider: RTMR3 through sysfs", () => {
  it("writes each event's 48-byte dstack digest to rtmr3:sha384, in order", async () => {
    const fake = kernel();
    const provider = providerOn(fake);
    await measureApp(provider, IDENTITY);
    expect(fake.rtmr3Writes.map(toHex)).toEqual([
      toHex(dstackEventDigest("app-id", APP_ID)),
      toHex(dstackEventDigest("compose-hash", IDENTITY.composeHash)),
      toHex(dstackEventDigest("instance-id", INSTANCE_ID)),
    ]);
    expect(provider.kind).toBe("tsm");
    expect(provider.taint).toEqual([]);
  });

  it("refuses to extend without the sysfs file, and records nothing: MEASUREMENT_UNAVAILABLE", async () => {
    const fake = kernel({ withoutRtmr3: true });
    const provider = providerOn(fake);
    const error = await expectCode(provider.extendRtmr3("app-id", APP_ID), "MEASUREMENT_UNAVAILABLE");
    expect(error.message).toContain("TDX_CMD_EXTEND_RTMR");
    expect(provider.eventLog()).toHaveLength(0);
    expect(fs.existsSync(fake.rtmr3Path)).toBe(false);
  });

  it("refuses an event name holding ':' before touching the register: INPUT_INVALID", async () => {
    const fake = kernel();
    await expectCode(providerOn(fake).extendRtmr3("app-id:x", APP_ID), "INPUT_INVALID");
    expect(fake.rtmr3Writes).toHaveLength(0);
  });

  it("persists the event log, and a restarted agent continues this boot's log instead of extending twice", async () => {
    const fake = kernel();
    const eventLogFile = path.join(fake.root, "run/basekms/rtmr3.json");
    await measureApp(providerOn(fake, eventLogFile), IDENTITY);
    expect((fs.statSync(eventLogFile).mode & 0o777).toString(8)).toBe("644");
    const restarted = providerOn(fake, eventLogFile);
    expect(restarted.eventLog()).toHaveLength(3);
    expect((await measureApp(restarted, IDENTITY)).extended).toBe(0);
    expect(fake.rtmr3Writes).toHaveLength(3);
  });

  it("refuses a persisted log that is not a dstack event log: MEASUREMENT_FAILED", () => {
    const fake = kernel();
    const eventLogFile = path.join(fake.root, "rtmr3.json");
    fs.writeFileSync(eventLogFile, "{ nope");
    expect(() => providerOn(fake, eventLogFile)).toThrow(expect.objectContaining({ code: "MEASUREMENT_FAILED" }));
  });
});

describe("tsm provider: quotes through configfs-tsm", () => {
  it("gets a quote over our report_data whose RTMR3 the event log replays to, and removes its report directory", async () => {
    const fake = kernel();
    const provider = providerOn(fake);
    await measureApp(provider, IDENTITY);
    const { quote, body } = await getBoundQuote(provider, REPORT_DATA);
    expect(toHex(body.reportData)).toBe(toHex(REPORT_DATA));
    expect(toHex(body.rtmr3)).toBe(toHex(fake.rtmr3()));
    const verified = verifyEventLog(provider.eventLog(), parseQuote(quote).body);
    expect(toHex(verified.composeHash)).toBe(toHex(IDENTITY.composeHash));
    expect(fake.reportDirs).toHaveLength(1);
    expect(path.dirname(fake.reportDirs[0]!)).toBe(fake.reportRoot);
    expect(fs.readdirSync(fake.reportRoot)).toEqual([]);
  });

  it("refuses when configfs-tsm is absent: QUOTE_UNAVAILABLE", async () => {
    const fake = kernel({ withoutConfigfs: true });
    const error = await expectCode(providerOn(fake).getQuote(REPORT_DATA), "QUOTE_UNAVAILABLE");
    expect(error.message).toContain(fake.reportRoot);
  });

  it("refuses a report provider that is not tdx_guest: QUOTE_UNAVAILABLE, and cleans up", async () => {
    const fake = kernel({ provider: "sev_guest" });
    await expectCode(providerOn(fake).getQuote(REPORT_DATA), "QUOTE_UNAVAILABLE");
    expect(fs.readdirSync(fake.reportRoot)).toEqual([]);
  });

  it("refuses a quote when generation shows another writer raced us: QUOTE_FAILED, and cleans up", async () => {
    const fake = kernel({ generationStep: 2 });
    const error = await expectCode(providerOn(fake).getQuote(REPORT_DATA), "QUOTE_FAILED");
    expect(error.message).toContain("generation");
    expect(fs.readdirSync(fake.reportRoot)).toEqual([]);
  });

  it("refuses an empty outblob: QUOTE_FAILED", async () => {
    const fake = kernel({ emptyOutblob: true });
    await expectCode(providerOn(fake).getQuote(REPORT_DATA), "QUOTE_FAILED");
  });

  it("refuses report_data that is not 64 bytes before touching configfs: QUOTE_FAILED", async () => {
    const fake = kernel();
    await expectCode(providerOn(fake).getQuote(new Uint8Array(32)), "QUOTE_FAILED");
    expect(fake.reportDirs).toHaveLength(0);
  });
});

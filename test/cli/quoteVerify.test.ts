import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { TdxSimulator, devRootDer } from "../../core/attestation/simulator";
import { ROOT_CRL_FILE_PATH, startFakePccs, startSplitRootCrlPccs, type FakePccs } from "../attestation/collateral/fakePccs";
import { EXPECTED_QUOTES } from "../attestation/quote/expectedMeasurements";
import { QUOTE_SETS, S6_COLLATERAL, quoteOf, windowOf } from "../helpers/quoteSets";
import { vectorPath } from "../helpers/vectors";

/**
 * `basekms quote verify` as a real child process (node bin/basekms.js, cwd = repo root):
 * every input format, the documented `--json` shape, and exit codes 0 (verified, whatever
 * the TCB status), 1 (refused, with errorCode) and 2 (usage error).
 *
 * Each process costs about a second (tsx compiles on start), so all of them are started
 * once, concurrently, in `beforeAll`. They are spawned asynchronously rather than with
 * spawnSync because one of them fetches collateral from a fake PCCS served by this process.
 */

const REPO_ROOT = path.resolve(__dirname, "../..");
const SIM_NOW = Date.UTC(2026, 5, 1) / 1000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/basekms.js", "quote", "verify", ...args], { cwd: REPO_ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The `--json` object; fails the test with the process output when it is not JSON. */
function json(run: CliRun): Record<string, any> {
  try {
    return JSON.parse(run.stdout) as Record<string, any>;
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
}

const HEX = /^[0-9a-f]*$/;
const QUOTE_KEYS = ["version", "teeType", "mrTd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "reportData", "tdAttributes", "xfam", "mrSignerSeam", "mrConfigId", "fmspc"];

function expectDocumentedShape(report: Record<string, any>): void {
  expect(typeof report.ok).toBe("boolean");
  expect(Array.isArray(report.advisoryIds)).toBe(true);
  expect(Object.keys(report.quote).sort()).toEqual([...QUOTE_KEYS].sort());
  for (const key of QUOTE_KEYS.filter((name) => name !== "version" && name !== "teeType")) {
    expect(report.quote[key], key).toMatch(HEX);
  }
  expect(report.platformHash).toMatch(/^[0-9a-f]{64}$/);
  if (report.events) {
    expect(Object.keys(report.events).sort()).toEqual(["appId", "composeHash", "instanceId"]);
    for (const value of Object.values(report.events)) expect(value).toMatch(HEX);
  }
}

const S1 = QUOTE_SETS.S1;
let directory: string;
let pccs: FakePccs;
/** Like Intel's PCS: no rootcacrl path; the root CA CRL is a DER file on another host. */
let splitPccs: Awaited<ReturnType<typeof startSplitRootCrlPccs>>;
let runs: Record<string, CliRun>;
const simulator = new TdxSimulator();
const composeHash = createHash("sha256").update("compose").digest();

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), "basekms-quote-verify-"));
  const file = (name: string, content: string | Uint8Array) => {
    const target = path.join(directory, name);
    writeFileSync(target, content);
    return target;
  };
  const s8Hex = file("s8.hex", `${Buffer.from(quoteOf("S8")).toString("hex").replace(/.{64}/g, "$&\n")}\n`);
  const s6Quote = file("s6.dat", quoteOf("S6")); // without go-tdx-guest's trailing test note
  simulator.extendRtmr3("app-id", new Uint8Array(20).fill(1));
  simulator.extendRtmr3("compose-hash", composeHash);
  simulator.extendRtmr3("instance-id", new Uint8Array(20).fill(2));
  const simQuote = file("sim.quote", simulator.getQuote(new Uint8Array(64)));
  const simCollateral = file("sim-collateral.json", JSON.stringify(simulator.collateral(SIM_NOW)));
  const simEventLog = file("sim-events.json", JSON.stringify(simulator.eventLog()));
  const devRoot = file("dev-root.der", devRootDer());
  const notAQuote = file("not-a-quote.txt", "this is not a quote\n");
  pccs = await startFakePccs();
  splitPccs = await startSplitRootCrlPccs();
  const rootCrlUrl = splitPccs.rootCaCrlUrl;

  const vector = (set: keyof typeof QUOTE_SETS) => QUOTE_SETS[set];
  const plan: Record<string, string[]> = {
    s1Raw: [vectorPath("dcap-qvl/tdx_quote"), "--collateral", vectorPath(S1.collateralFile), "--now", String(S1.now), "--json"],
    s3ByteArray: [vectorPath("near-mpc/quote.json"), "--collateral", vectorPath(vector("S3").collateralFile), "--now", "2026-08-13T12:00:00Z", "--json"],
    s4WithEventLog: [vectorPath("dstack/quote-report.json"), "--collateral", vectorPath(vector("S4").collateralFile), "--now", String(vector("S4").now), "--json"],
    s8Hex: [s8Hex, "--collateral", vectorPath(vector("S8").collateralFile), "--now", String(vector("S8").now), "--json"],
    s9Refused: [vectorPath("automata/quotev5.dat"), "--collateral", vectorPath(vector("S9").collateralFile), "--now", String(vector("S9").now), "--json"],
    s1Expired: [vectorPath("dcap-qvl/tdx_quote"), "--collateral", vectorPath(S1.collateralFile), "--now", String(windowOf(S1).to + 1), "--json"],
    s6File: [s6Quote, "--collateral", vectorPath(S6_COLLATERAL), "--now", String(vector("S6").now), "--json"],
    s6Pccs: [s6Quote, "--collateral", pccs.baseUrl, "--now", String(vector("S6").now), "--json"],
    s6PccsRootCrlUrl: [s6Quote, "--collateral", splitPccs.pccs.baseUrl, "--root-ca-crl-url", rootCrlUrl, "--now", String(vector("S6").now), "--json"],
    rootCrlUrlWithFile: [s6Quote, "--collateral", vectorPath(S6_COLLATERAL), "--root-ca-crl-url", rootCrlUrl, "--now", String(vector("S6").now)],
    rootCrlUrlNotHttp: [s6Quote, "--collateral", pccs.baseUrl, "--root-ca-crl-url", "ftp://crl.example/root.der", "--now", String(vector("S6").now)],
    simulatorDevRoot: [simQuote, "--collateral", simCollateral, "--root", devRoot, "--event-log", simEventLog, "--now", String(SIM_NOW), "--json"],
    notAQuote: [notAQuote, "--collateral", vectorPath(S1.collateralFile), "--now", String(S1.now), "--json"],
    missingCollateral: [vectorPath("dcap-qvl/tdx_quote"), "--now", String(S1.now), "--json"],
    unreadableQuote: [path.join(directory, "no-such-quote"), "--collateral", vectorPath(S1.collateralFile), "--now", String(S1.now)],
    badNow: [vectorPath("dcap-qvl/tdx_quote"), "--collateral", vectorPath(S1.collateralFile), "--now", "next tuesday"],
  };
  const names = Object.keys(plan);
  const results = await Promise.all(names.map((name) => runCli(plan[name]!)));
  runs = Object.fromEntries(names.map((name, index) => [name, results[index]!]));
}, 120_000);

afterAll(async () => {
  await Promise.all([pccs?.close(), splitPccs?.close()]);
  if (directory) rmSync(directory, { recursive: true, force: true });
});

describe("basekms quote verify --json: verified quotes exit 0", () => {
  it("S1 raw bytes: UpToDate, the documented shape, the README's measurements", () => {
    expect(runs.s1Raw!.code).toBe(0);
    const report = json(runs.s1Raw!);
    expectDocumentedShape(report);
    const expected = EXPECTED_QUOTES.find((quote) => quote.set === "S1")!;
    expect(report).toMatchObject({ ok: true, status: "UpToDate", advisoryIds: [] });
    expect(report.errorCode).toBeUndefined();
    expect(report.events).toBeUndefined();
    expect(report.quote).toEqual({
      version: 4,
      teeType: 0x81,
      mrTd: expected.mrTd,
      rtmr0: expected.rtmr0,
      rtmr1: expected.rtmr1,
      rtmr2: expected.rtmr2,
      rtmr3: expected.rtmr3,
      reportData: expected.reportData,
      tdAttributes: expected.tdAttributes,
      xfam: expected.xfam,
      mrSignerSeam: "00".repeat(48),
      mrConfigId: expected.mrConfigId,
      fmspc: "b0c06f000000",
    });
    const platformHash = createHash("sha256");
    for (const part of [expected.mrTd, expected.rtmr0, expected.rtmr1, expected.rtmr2]) platformHash.update(Buffer.from(part, "hex"));
    expect(report.platformHash).toBe(platformHash.digest("hex"));
  });

  it("S3 as a JSON byte array with --now in ISO-8601: UpToDate", () => {
    expect(runs.s3ByteArray!.code).toBe(0);
    const report = json(runs.s3ByteArray!);
    expectDocumentedShape(report);
    expect(report).toMatchObject({ ok: true, status: "UpToDate", advisoryIds: [] });
    expect(report.quote.mrTd).toBe(EXPECTED_QUOTES.find((quote) => quote.set === "S3")!.mrTd);
  });

  it("S4 as JSON with quote and event_log: UpToDate with the events from the log", () => {
    expect(runs.s4WithEventLog!.code).toBe(0);
    const report = json(runs.s4WithEventLog!);
    expectDocumentedShape(report);
    expect(report).toMatchObject({
      ok: true,
      status: "UpToDate",
      events: {
        appId: "3763bc34552cf3a27ff71ad5f7a90471562a1a2d",
        composeHash: "3763bc34552cf3a27ff71ad5f7a90471562a1a2df552dfc1998cba2d60da27e7",
        instanceId: "c3714eb66990eace777b4e664c16e09375dec4c9",
      },
    });
  });

  it("S8 as hex text: OutOfDate still exits 0, with the advisories", () => {
    expect(runs.s8Hex!.code).toBe(0);
    const report = json(runs.s8Hex!);
    expectDocumentedShape(report);
    expect(report).toMatchObject({ ok: true, status: "OutOfDate", advisoryIds: ["INTEL-SA-00960", "INTEL-SA-00982", "INTEL-SA-00986"] });
    expect(report.quote.fmspc).toBe("00806f050000");
  });

  it("a simulator quote with --root <dev root DER> and --event-log: UpToDate with its events", () => {
    expect(runs.simulatorDevRoot!.code).toBe(0);
    const report = json(runs.simulatorDevRoot!);
    expectDocumentedShape(report);
    expect(report).toMatchObject({ ok: true, status: "UpToDate", advisoryIds: [] });
    expect(report.quote.rtmr3).toBe(toHex(simulator.rtmr3()));
    expect(report.events).toEqual({ appId: "01".repeat(20), composeHash: composeHash.toString("hex"), instanceId: "02".repeat(20) });
  });
});

describe("basekms quote verify --json: refusals exit 1 with errorCode", () => {
  it("S9 (non-zero MR_SERVICE_TD): TD_SERVICE_TD_NONZERO, with the parsed quote", () => {
    expect(runs.s9Refused!.code).toBe(1);
    const report = json(runs.s9Refused!);
    expectDocumentedShape(report);
    expect(report).toMatchObject({ ok: false, errorCode: "TD_SERVICE_TD_NONZERO", advisoryIds: [] });
    expect(report.message).toMatch(/MR_SERVICE_TD/);
    expect(report.status).toBeUndefined();
  });

  it("S1 one second after its collateral window: COLLATERAL_EXPIRED", () => {
    expect(runs.s1Expired!.code).toBe(1);
    expect(json(runs.s1Expired!)).toMatchObject({ ok: false, errorCode: "COLLATERAL_EXPIRED" });
  });

  it("a file that holds no quote: QUOTE_MALFORMED, still as one JSON object", () => {
    expect(runs.notAQuote!.code).toBe(1);
    const report = json(runs.notAQuote!);
    expect(report).toMatchObject({ ok: false, errorCode: "QUOTE_MALFORMED", advisoryIds: [] });
    expect(report.quote).toBeUndefined();
  });

  it("--collateral <PCCS URL> gives the same outcome as the collateral file (S6: TCB_LEVEL_NOT_FOUND)", () => {
    expect(runs.s6File!.code).toBe(1);
    expect(json(runs.s6File!)).toMatchObject({ ok: false, errorCode: "TCB_LEVEL_NOT_FOUND" });
    expect(runs.s6Pccs!.code).toBe(runs.s6File!.code);
    expect(json(runs.s6Pccs!)).toEqual(json(runs.s6File!));
    expect(pccs.requests.map((request) => request.split("?")[0]).sort()).toEqual([
      "/sgx/certification/v4/pckcrl",
      "/sgx/certification/v4/rootcacrl",
      "/tdx/certification/v4/qe/identity",
      "/tdx/certification/v4/tcb",
    ]);
  });

  it("--root-ca-crl-url takes the root CA CRL from its own URL, and the rest from the PCCS (same outcome)", () => {
    expect(json(runs.s6PccsRootCrlUrl!)).toEqual(json(runs.s6File!));
    expect(splitPccs.crlHost.requests).toEqual([ROOT_CRL_FILE_PATH]);
    expect(splitPccs.pccs.requests.map((request) => request.split("?")[0]).sort()).toEqual([
      "/sgx/certification/v4/pckcrl",
      "/tdx/certification/v4/qe/identity",
      "/tdx/certification/v4/tcb",
    ]);
  });
});

describe("basekms quote verify: usage errors exit 2", () => {
  it("with --root-ca-crl-url but a collateral file, or a URL that is not http(s)", () => {
    expect(runs.rootCrlUrlWithFile!.code).toBe(2);
    expect(runs.rootCrlUrlWithFile!.stderr).toMatch(/--root-ca-crl-url applies to a --collateral URL only/);
    expect(runs.rootCrlUrlNotHttp!.code).toBe(2);
    expect(runs.rootCrlUrlNotHttp!.stderr).toMatch(/--root-ca-crl-url must be an http\(s\) URL/);
  });

  it("without --collateral", () => {
    expect(runs.missingCollateral!.code).toBe(2);
    expect(runs.missingCollateral!.stderr).toMatch(/--collateral/);
  });

  it("with a quote file that cannot be read", () => {
    expect(runs.unreadableQuote!.code).toBe(2);
    expect(runs.unreadableQuote!.stderr).toMatch(/cannot read/);
  });

  it("with a --now that is neither unix seconds nor ISO-8601", () => {
    expect(runs.badNow!.code).toBe(2);
    expect(runs.badNow!.stderr).toMatch(/--now/);
  });
});

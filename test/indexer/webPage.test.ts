import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { chromium, type Browser } from "playwright-core";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadIndexerConfig } from "../../indexer/config";
import { createIndexer, type Indexer } from "../../indexer/indexer";
import type { ReleaseLog } from "../../kms/log";
import { keyReleaseBytes, openLogFile, serveReleaseLog, signAndAnchor, type LogServer } from "../audit/helpers/releaseLogFixture";
import {
  approveRelease,
  devAccount,
  increaseTime,
  label,
  registerApp,
  registerKmsIdentity,
  revokeRelease,
  setAllowedTcbStatuses,
  setKmsMeasurementAllowed,
  setPlatformAllowed,
  startTestChain,
  type TestChain,
} from "../audit/helpers/testChain";

/**
 * The auditors' page in a real headless Chromium (Debian's `chromium`, driven by playwright-core),
 * served by real indexers on loopback: the timeline and a green status for an honest log, a red
 * status with its reason for a log holding a key release the policy did not allow.
 */
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((candidate) => fs.existsSync(candidate));
/** CI (.ci/run installs chromium) must run this test; elsewhere a missing browser is a loud skip. */
const BROWSER_REQUIRED = process.env.CI === "true" || process.env.BASEKMS_REQUIRE_BROWSER === "1";
if (!CHROMIUM && !BROWSER_REQUIRED) console.warn("webPage.test.ts: SKIPPED — no chromium at /usr/bin/chromium (apt-get install -y chromium)");

const COMPOSE = label("web-compose");
const COMPOSE_REVOKED = label("web-compose-old");
const PLATFORM = label("web-platform");

describe.skipIf(!CHROMIUM && !BROWSER_REQUIRED)("indexer web page in Chromium", () => {
  let chain: TestChain;
  let browser: Browser;
  let appId: Hex;
  const cleanups: Array<() => Promise<void> | void> = [];

  async function indexerFor(name: string, kms: ReturnType<typeof devAccount>, composeHashes: Hex[]): Promise<string> {
    const block = await chain.client.getBlock();
    const log: ReleaseLog = openLogFile(chain.dir, `${name}-kms`);
    composeHashes.forEach((composeHash, index) =>
      log.append(keyReleaseBytes(chain, { kms, appId, composeHash, platformHash: PLATFORM, policyBlock: { number: Number(block.number), hash: block.hash }, instanceId: `0${index}`, time: Number(block.timestamp) })),
    );
    await signAndAnchor(chain, log, kms);
    const server: LogServer = await serveReleaseLog(log);
    const config = loadIndexerConfig({}, { rpc: chain.url, deployment: chain.deploymentFile, db: path.join(chain.dir, `${name}.sqlite`), port: "0", confirmations: "0", kms: server.url });
    const indexer: Indexer = await createIndexer(config, { logger: pino({ level: "silent" }) });
    await indexer.syncer.syncTo(Number(await chain.client.getBlockNumber()));
    await indexer.mirror!.tick();
    const url = await indexer.app.listen({ host: "127.0.0.1", port: 0 });
    cleanups.push(() => indexer.stop(), () => server.close(), () => log.close());
    return url;
  }

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error("CI needs Debian's chromium at /usr/bin/chromium for the web page test (apt-get install -y chromium)");
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    chain = await startTestChain();
    const maintainer = devAccount(1);
    appId = await registerApp(chain, [maintainer], 1, 0);
    await setPlatformAllowed(chain, PLATFORM, true);
    await setAllowedTcbStatuses(chain, 0b1);
    await setKmsMeasurementAllowed(chain, label("web-kms"), true);
    for (const index of [18, 19]) await registerKmsIdentity(chain, devAccount(index).address.toLowerCase() as Hex, label(`web-quote-${index}`), label("web-kms"));
    await approveRelease(chain, appId, COMPOSE_REVOKED, [maintainer]);
    await increaseTime(chain, 60);
    await revokeRelease(chain, appId, COMPOSE_REVOKED, maintainer);
    await approveRelease(chain, appId, COMPOSE, [maintainer]);
    await increaseTime(chain, 60);
  }, 180_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await browser?.close();
    await chain?.stop();
  });

  it("renders the app's timeline and a green audit status for an honest log", async () => {
    const url = await indexerFor("honest", devAccount(18), [COMPOSE, COMPOSE]);
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector("#audit-status.green");
    expect(await page.textContent("#audit-status")).toContain("GREEN");
    await page.waitForSelector("#timeline li[data-kind='key-release']");
    const kinds = await page.$$eval("#timeline li", (items) => items.map((item) => item.getAttribute("data-kind")));
    for (const kind of ["registered", "approved", "activated", "revoked", "key-release", "checkpoint"]) expect(kinds).toContain(kind);
    expect(kinds.filter((kind) => kind === "key-release")).toHaveLength(2);
    expect(await page.textContent("#allowed-now")).toContain(COMPOSE);
    expect(await page.textContent("#sync-info")).toContain("2 entries verified");

    await page.fill("#report-from", "2000-01-01");
    await page.fill("#report-to", "2100-01-01");
    await page.click("#report-form button");
    await page.waitForSelector("#report-table");
    const rows = await page.$$eval("#report-table tr", (trs) => trs.slice(1).map((tr) => Array.from(tr.querySelectorAll("td"), (td: { textContent: string | null }) => td.textContent)));
    expect(rows).toContainEqual([COMPOSE, "yes", "2", "2"]);
    await page.close();
  });

  it("shows a red audit status with the reason when a key went to a revoked compose hash", async () => {
    const url = await indexerFor("rogue", devAccount(19), [COMPOSE, COMPOSE_REVOKED]);
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForSelector("#audit-status.red");
    expect(await page.textContent("#audit-status")).toContain("RED");
    const reasons = await page.$$eval("#audit-reasons li", (items) => items.map((item) => item.textContent ?? ""));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain("LEAF_COMPOSE_HASH_NOT_ALLOWED");
    expect(reasons[0]).toContain("revoked");
    await page.waitForSelector("#timeline li[data-kind='violation']");
    await page.close();
  });
});

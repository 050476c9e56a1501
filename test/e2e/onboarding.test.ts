import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../core/bytes";
import { parseLeaf } from "../../core/releaseLog/leaf";
import type { TestChain } from "../kms/testbedChain";
import { bootSimulatedAgent } from "./support/agent";
import { type KmsProcess, startKmsProcess } from "./support/kmsProcess";
import { readAllEntries } from "./support/logReader";
import { type PublishedApp, freshDataDir, instanceIdOf, publishApp, registerKmsAndWait, startWorld } from "./support/world";

/**
 * Attested onboarding between two KMS processes: the second is started with
 * `--onboard-from <first>`, gets the root secret sealed to its own key, and from then on
 * derives the same disk keys through its own URL, identity and log, with or without the first.
 */
let chain: TestChain;
let app: PublishedApp;
let first: KmsProcess;
let second: KmsProcess;
const instanceId = instanceIdOf(0xc1);
let keyFromFirst: string;

const start = (label: string, flags: string[] = []) =>
  startKmsProcess({ rpcUrl: chain.rpcUrl, deploymentFile: chain.deploymentFile, dataDir: freshDataDir(chain, label), flags });

beforeAll(async () => {
  chain = await startWorld();
  app = await publishApp(chain, "onboarding");
  first = await start("first");
  await registerKmsAndWait(chain, first.url, first.summary);
});

afterAll(async () => {
  await second?.stop();
  await first?.stop();
  await chain?.stop();
});

describe("onboarding a second KMS (two processes)", () => {
  it("a second KMS started with --onboard-from the first derives the identical disk key through its own URL and identity", async () => {
    second = await start("second", ["--onboard-from", first.url]);
    expect(second.summary.kms).not.toBe(first.summary.kms);
    expect(second.url).not.toBe(first.url);
    await registerKmsAndWait(chain, second.url, second.summary);

    const viaFirst = await bootSimulatedAgent(chain, first.url, app, { instanceId });
    const viaSecond = await bootSimulatedAgent(chain, second.url, app, { instanceId });
    expect(viaFirst.kms).toBe(first.summary.kms);
    expect(viaSecond.kms).toBe(second.summary.kms);
    keyFromFirst = toHex(viaFirst.diskKey);
    expect(toHex(viaSecond.diskKey)).toBe(keyFromFirst);
    // Each KMS logs its own releases.
    expect(viaSecond.receipt.logIndex).toBe(0);
    expect(viaSecond.leaf.kms).toBe(second.summary.kms.toLowerCase());
  });

  it("the onboarding is a kms-onboarding leaf in the first KMS's public log, naming the joiner", async () => {
    const leaves = (await readAllEntries(first.url)).map((entry) => parseLeaf(new TextEncoder().encode(entry.leaf)).leaf);
    const onboardings = leaves.filter((leaf) => leaf.kind === "kms-onboarding");
    expect(onboardings).toHaveLength(1);
    const [onboarding] = onboardings;
    if (onboarding?.kind !== "kms-onboarding") throw new Error("unreachable");
    expect(onboarding.newKms).toBe(second.summary.kms.toLowerCase());
    expect(onboarding.kmsMeasurement).toBe(first.summary.measurement);
  });

  it("the onboarded KMS keeps releasing the same key after the first KMS stops", async () => {
    expect((await first.stop()).code).toBe(0);
    const alone = await bootSimulatedAgent(chain, second.url, app, { instanceId });
    expect(toHex(alone.diskKey)).toBe(keyFromFirst);
    expect(alone.receipt.logIndex).toBe(1);
  });
});

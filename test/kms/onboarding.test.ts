import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { bytesEqual, fromHex, toHex } from "../../core/bytes";
import { generateAgentKeyPair } from "../../core/crypto/hpke";
import { parseLeaf } from "../../core/releaseLog/leaf";
import { KmsError } from "../../kms/errors";
import { readSandboxSecretFile } from "../../kms/secrets";
import type { RunningKms } from "../../kms/server";
import { type TestChain, startTestChain } from "./testbedChain";
import { publishTestApp, getChallenge, makeAgentVm, openReleasedKey, postJson, requestKey, startTestKms, testComposeHash } from "./testbedKms";
import { createSandboxAttestation } from "../../kms/identity/ownAttestation";
import { onboardingReportData } from "../../core/crypto/keyRequestBinding";

/** Attested onboarding: a second KMS gets the root secret from the first and derives identical keys. */
let chain: TestChain;
let first: RunningKms;
let second: RunningKms | undefined;
let appId: Hex;
const composeHash = testComposeHash("onboarding");
const instanceId = fromHex("44".repeat(20));

beforeAll(async () => {
  chain = await startTestChain();
  // Unregistered at first, and its policy block moves only when a test refreshes it, so a test
  // can show the joiner a newer chain state than the one the serving KMS acts on.
  first = await startTestKms(chain, { register: false, start: { policyPollIntervalMs: 60_000, policyMaxAgeMs: 60_000 } });
  appId = await publishTestApp(chain, first, composeHash);
});

afterAll(async () => {
  await second?.close();
  await first?.close();
  await chain?.stop();
});

async function startJoiner(dataDir: string): Promise<RunningKms> {
  return startTestKms(chain, { dataDir, flags: { onboardFrom: first.url } });
}

async function expectStartRefused(dataDir: string, code: string, text: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    second = await startJoiner(dataDir);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(KmsError);
  expect((thrown as KmsError).code).toBe(code);
  expect((thrown as KmsError).message).toMatch(text);
}

describe("POST /v1/onboard and --onboard-from", () => {
  const joinerDir = () => path.join(chain.tempDir, "joiner");

  it("a serving KMS that is not registered on chain onboards no one (503 KMS_NOT_REGISTERED); the joiner does not start", async () => {
    fs.mkdirSync(joinerDir(), { recursive: true });
    await expectStartRefused(joinerDir(), "ONBOARDING_FAILED", /KMS_NOT_REGISTERED/);
    expect(readSandboxSecretFile(path.join(joinerDir(), "root-secret"))).toBeUndefined();
    expect(first.log.size()).toBe(0);
  });

  it("refuses a joining KMS whose measurement is not on the chain's allowlist (KMS_MEASUREMENT_NOT_ALLOWED)", async () => {
    const measurement = `0x${first.evidence.measurement}` as Hex;
    await chain.governance.allowKmsMeasurement(measurement);
    await chain.governance.registerKmsIdentity(first.identity.address, `0x${first.evidence.quoteSha256}`, measurement);
    await chain.governance.allowKmsMeasurement(measurement, false); // the joiner runs the same measurement
    await chain.mine(1);
    await first.policyBlocks.refresh();
    await expectStartRefused(joinerDir(), "ONBOARDING_FAILED", /KMS_MEASUREMENT_NOT_ALLOWED/);
    expect(readSandboxSecretFile(path.join(joinerDir(), "root-secret"))).toBeUndefined();
  });

  it("refuses an onboarding quote whose report_data does not bind the nonce and the joining key (REPORT_DATA_MISMATCH)", async () => {
    const attestation = createSandboxAttestation({ platformPolicy: chain.platformPolicy, identity: first.identity.address });
    const { nonce } = await getChallenge(first.url);
    const bound = await generateAgentKeyPair();
    const other = await generateAgentKeyPair();
    const quote = await attestation.quote(onboardingReportData(fromHex(nonce), bound.publicKey));
    const answer = await postJson(`${first.url}/v1/onboard`, { quote: toHex(quote), eventLog: attestation.eventLog(), kmsPublicKey: toHex(other.publicKey), nonce });
    expect(answer.status).toBe(403);
    expect(answer.json.errorCode).toBe("REPORT_DATA_MISMATCH");
  });

  it("the joiner refuses a peer whose checkpoint signer is not a registered KMS identity (ONBOARDING_PEER_NOT_REGISTERED)", async () => {
    await chain.governance.allowKmsMeasurement(`0x${first.evidence.measurement}`);
    await chain.mine(1);
    await first.policyBlocks.refresh();
    // Governance removes the serving KMS; it still acts on its older policy block (registered),
    // while the joiner reads the newer one.
    await chain.governance.removeKmsIdentity(first.identity.address);
    await chain.mine(1);
    await expectStartRefused(joinerDir(), "ONBOARDING_PEER_NOT_REGISTERED", /not a registered KMS identity/);
    expect(readSandboxSecretFile(path.join(joinerDir(), "root-secret"))).toBeUndefined();
  });

  it("a second KMS onboarded from a registered first one holds the same root secret and derives identical keys", async () => {
    await chain.governance.registerKmsIdentity(first.identity.address, `0x${first.evidence.quoteSha256}`, `0x${first.evidence.measurement}`);
    await chain.mine(1);
    await first.policyBlocks.refresh();
    second = await startJoiner(joinerDir());
    expect(second.identity.address).not.toBe(first.identity.address);
    const firstSecret = readSandboxSecretFile(path.join(first.config.dataDir, "root-secret")) as Uint8Array;
    const secondSecret = readSandboxSecretFile(path.join(joinerDir(), "root-secret")) as Uint8Array;
    expect(bytesEqual(firstSecret, secondSecret)).toBe(true);

    const context = { chainId: 31337, appRegistry: chain.appRegistry, appId, instanceId };
    const fromFirst = await requestKey(first.url, makeAgentVm({ appId, composeHash, instanceId }));
    const fromSecond = await requestKey(second.url, makeAgentVm({ appId, composeHash, instanceId }));
    expect(fromFirst.status).toBe(200);
    expect(fromSecond.status).toBe(200);
    expect((fromSecond.json.receipt as { kms: string }).kms).toBe(second.identity.address);
    expect(toHex(await openReleasedKey(fromSecond, context))).toBe(toHex(await openReleasedKey(fromFirst, context)));
  });

  it("each onboarding is a kms-onboarding leaf in the serving KMS's log, naming the joiner and its measurement", async () => {
    const entries = first.log.entries(0, first.log.size()).map((entry) => parseLeaf(entry.body).leaf);
    const onboardings = entries.filter((leaf) => leaf.kind === "kms-onboarding");
    // Two were sealed: to the refused joiner (it declined the unregistered peer) and to the accepted one.
    expect(onboardings).toHaveLength(2);
    for (const leaf of onboardings) {
      if (leaf.kind !== "kms-onboarding") continue;
      expect(leaf.newKms).toBe(second?.identity.address.toLowerCase());
      expect(leaf.kmsMeasurement).toBe(first.evidence.measurement);
    }
  });
});

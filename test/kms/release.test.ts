import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { bytesEqual, fromHex, toHex, utf8 } from "../../core/bytes";
import { parseQuote } from "../../core/attestation/quote";
import { platformPolicyDomain } from "../../core/contracts/typedData";
import { deriveDiskKey } from "../../core/crypto/keyDerivation";
import { kmsIdentityReportData } from "../../core/crypto/keyRequestBinding";
import { sha256 } from "../../core/hash";
import { verifyInclusion } from "../../core/merkle/verifyInclusion";
import { recoverCheckpointSigner } from "../../core/releaseLog/checkpoint";
import { parseLeaf } from "../../core/releaseLog/leaf";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { readSandboxSecretFile } from "../../kms/secrets";
import type { RunningKms } from "../../kms/server";
import { type TestChain, startTestChain } from "./testbedChain";
import { SIMULATOR_PLATFORM_HASH, makeAgentVm, openReleasedKey, requestKey, startTestKms, testComposeHash } from "./testbedKms";

/** An allowed release end to end: real chain, real KMS over HTTP, simulated agent. */
let chain: TestChain;
let kms: RunningKms;
let dataDir: string;
let appId: Hex;
const composeV1 = testComposeHash("release-v1");
const composeV2 = testComposeHash("release-v2");
const instanceId = fromHex("11".repeat(20));

beforeAll(async () => {
  chain = await startTestChain();
  kms = await startTestKms(chain);
  dataDir = kms.config.dataDir;
  await chain.governance.allowPlatform(SIMULATOR_PLATFORM_HASH);
  appId = await chain.apps.register([1, 2, 3], 2, 0);
  await chain.apps.approve(appId, composeV1, [1, 2]);
  await chain.mine(1);
  await kms.policyBlocks.refresh();
});

afterAll(async () => {
  await kms?.close();
  await chain?.stop();
});

const context = () => ({ chainId: 31337, appRegistry: chain.appRegistry, appId, instanceId });

describe("POST /v1/keys: an allowed release", () => {
  it("releases the disk key HKDF(rootSecret, chain, registry, app, instance, epoch) and the agent opens it", async () => {
    const answer = await requestKey(kms.url, makeAgentVm({ appId, composeHash: composeV1, instanceId }));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    const diskKey = await openReleasedKey(answer, context());
    const rootSecret = readSandboxSecretFile(path.join(dataDir, "root-secret")) as Uint8Array;
    const expected = deriveDiskKey(rootSecret, { chainId: 31337, contract: chain.appRegistry, appId: fromHex(appId), instanceId, epoch: 0 });
    expect(toHex(diskKey)).toBe(toHex(expected));
  });

  it("answers a receipt whose leaf is included under a checkpoint signed by the registered KMS identity", async () => {
    const vm = makeAgentVm({ appId, composeHash: composeV1, instanceId });
    const answer = await requestKey(kms.url, vm);
    expect(answer.status).toBe(200);
    const receipt = answer.json.receipt as {
      logIndex: number; leafHash: string; leaf: string; treeSize: number; rootHash: string; inclusionProof: string[];
      policyBlock: { number: number; hash: Hex }; kms: Hex; signature: Hex;
    };
    const { leaf, leafHash } = parseLeaf(utf8(receipt.leaf));
    expect(toHex(leafHash)).toBe(receipt.leafHash);
    if (leaf.kind !== "key-release") throw new Error("expected a key-release leaf");
    expect(leaf.appId).toBe(appId.toLowerCase());
    expect(leaf.instanceId).toBe(toHex(instanceId));
    expect(leaf.composeHash).toBe(toHex(composeV1));
    expect(leaf.platformHash).toBe(toHex(SIMULATOR_PLATFORM_HASH));
    expect(leaf.agentKeySha256).toBe(toHex(sha256(answer.keyPair.publicKey)));
    expect(leaf.policyBlock).toEqual({ number: receipt.policyBlock.number, hash: receipt.policyBlock.hash });
    const block = await chain.client.getBlock({ blockNumber: BigInt(receipt.policyBlock.number) });
    expect(block.hash).toBe(receipt.policyBlock.hash);

    verifyInclusion(leafHash, receipt.logIndex, receipt.treeSize, receipt.inclusionProof.map(fromHex), fromHex(receipt.rootHash));
    const signer = await recoverCheckpointSigner(
      { treeSize: receipt.treeSize, rootHash: `0x${receipt.rootHash}`, signature: receipt.signature },
      platformPolicyDomain(31337, chain.platformPolicy),
    );
    expect(signer).toBe(kms.identity.address);
    expect(receipt.kms).toBe(kms.identity.address);
    const registered = await chain.client.readContract({ address: chain.platformPolicy, abi: platformPolicyAbi, functionName: "isKmsIdentity", args: [signer] });
    expect(registered).toBe(true);
  });

  it("commits one leaf per 200 under concurrent requests, each with its own log index", async () => {
    const before = kms.log.size();
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => requestKey(kms.url, makeAgentVm({ appId, composeHash: composeV1, instanceId: fromHex(i.toString(16).padStart(40, "0")) }))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    const indexes = answers.map((answer) => (answer.json.receipt as { logIndex: number }).logIndex);
    expect(new Set(indexes).size).toBe(answers.length);
    expect(kms.log.size()).toBe(before + answers.length);
    for (const answer of answers) {
      const receipt = answer.json.receipt as { logIndex: number; leafHash: string };
      expect(toHex(kms.log.entry(receipt.logIndex).leafHash)).toBe(receipt.leafHash);
    }
  });

  it("gives the same key after an approved upgrade to a new compose hash (same app and instance)", async () => {
    const v1 = await requestKey(kms.url, makeAgentVm({ appId, composeHash: composeV1, instanceId }));
    await chain.apps.approve(appId, composeV2, [2, 3]);
    await chain.mine(1);
    await kms.policyBlocks.refresh();
    const v2 = await requestKey(kms.url, makeAgentVm({ appId, composeHash: composeV2, instanceId }));
    expect(v2.status, JSON.stringify(v2.json)).toBe(200);
    expect(bytesEqual(await openReleasedKey(v1, context()), await openReleasedKey(v2, context()))).toBe(true);
  });

  it("gives the same key after a KMS restart, and the restarted log verifies and keeps its leaves", async () => {
    const before = await requestKey(kms.url, makeAgentVm({ appId, composeHash: composeV1, instanceId }));
    const size = kms.log.size();
    const root = kms.log.root();
    await kms.close();
    kms = await startTestKms(chain, { dataDir });
    expect(kms.log.size()).toBe(size);
    expect(toHex(kms.log.root())).toBe(toHex(root));
    const after = await requestKey(kms.url, makeAgentVm({ appId, composeHash: composeV1, instanceId }));
    expect(after.status).toBe(200);
    expect(toHex(await openReleasedKey(after, context()))).toBe(toHex(await openReleasedKey(before, context())));
  });
});

describe("public evidence and operations endpoints", () => {
  it("GET /health shows the network, the identity and a quote whose report_data binds it, the log and the taints", async () => {
    const health = (await (await fetch(`${kms.url}/health`)).json()) as Record<string, any>;
    expect(health.network).toBe("sandbox");
    expect(health.chainId).toBe(31337);
    expect(health.contracts).toEqual({ AppRegistry: chain.appRegistry, PlatformPolicy: chain.platformPolicy });
    expect(health.kms.address).toBe(kms.identity.address);
    const quote = parseQuote(fromHex(health.kms.quote));
    expect(toHex(quote.body.reportData)).toBe(toHex(kmsIdentityReportData(fromHex(kms.identity.address))));
    expect(health.kms.measurement).toMatch(/^[0-9a-f]{64}$/);
    expect(health.log.size).toBe(kms.log.size());
    expect(health.log.unanchoredEntries).toBe(kms.log.unanchoredCount());
    expect(health.log.checkpoint.treeSize).toBeGreaterThan(0);
    expect(health.taints).toEqual(expect.arrayContaining(["sandbox-development-ca-trusted", "root-secret-on-disk", "simulated-tdx-quote"]));
    expect(health.policy.block.number).toBeGreaterThan(0);
  });

  it("GET /metrics exposes releases and the unanchored gap", async () => {
    const text = await (await fetch(`${kms.url}/metrics`)).text();
    expect(text).toMatch(/basekms_releases_total\{endpoint="keys"\} \d+/);
    expect(text).toMatch(/basekms_log_unanchored_entries \d+/);
    expect(text).toMatch(/basekms_policy_block_number \d+/);
  });

  it("GET /docs/json is an OpenAPI document with the key-release route", async () => {
    const document = (await (await fetch(`${kms.url}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/v1/keys", "/v1/challenge", "/v1/onboard", "/health", "/v1/log/checkpoint"]));
  });

  it("GET /v1/challenge answers a 32-byte nonce that expires in 60 s (unix seconds)", async () => {
    const response = await fetch(`${kms.url}/v1/challenge`);
    const body = (await response.json()) as { nonce: string; expiresAt: number };
    expect(body.nonce).toMatch(/^[0-9a-f]{64}$/);
    const now = Math.floor(Date.now() / 1000);
    expect(body.expiresAt).toBeGreaterThanOrEqual(now + 58);
    expect(body.expiresAt).toBeLessThanOrEqual(now + 61);
  });
});

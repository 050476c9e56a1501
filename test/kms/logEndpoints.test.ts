import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { fromHex, toHex, utf8 } from "../../core/bytes";
import { platformPolicyDomain } from "../../core/contracts/typedData";
import { rootFromLeafHashes } from "../../core/merkle/frontier";
import { verifyConsistency } from "../../core/merkle/verifyConsistency";
import { verifyInclusion } from "../../core/merkle/verifyInclusion";
import { recoverCheckpointSigner } from "../../core/releaseLog/checkpoint";
import { parseLeaf } from "../../core/releaseLog/leaf";
import type { RunningKms } from "../../kms/server";
import { type TestChain, startTestChain } from "./testbedChain";
import { publishTestApp, makeAgentVm, requestKey, startTestKms, testComposeHash } from "./testbedKms";

/** The public log reads: checkpoint, entries, inclusion and consistency proofs, checked with core/merkle alone. */
let chain: TestChain;
let kms: RunningKms;
let appId: Hex;
const composeHash = testComposeHash("log-endpoints");

const get = async (path: string) => {
  const response = await fetch(`${kms.url}${path}`);
  return { status: response.status, json: (await response.json()) as any };
};

beforeAll(async () => {
  chain = await startTestChain();
  kms = await startTestKms(chain);
  appId = await publishTestApp(chain, kms, composeHash);
});

afterAll(async () => {
  await kms?.close();
  await chain?.stop();
});

async function release(count: number, concurrent: boolean): Promise<void> {
  const one = (i: number) => requestKey(kms.url, makeAgentVm({ appId, composeHash, instanceId: fromHex((1000 + i + kms.log.size()).toString(16).padStart(40, "0")) }));
  const answers = concurrent ? await Promise.all(Array.from({ length: count }, (_, i) => one(i))) : [];
  if (!concurrent) for (let i = 0; i < count; i++) answers.push(await one(i));
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
}

describe("release log endpoints", () => {
  it("GET /v1/log/checkpoint is 404 CHECKPOINT_UNAVAILABLE before the first entry", async () => {
    const answer = await get("/v1/log/checkpoint");
    expect(answer.status).toBe(404);
    expect(answer.json.errorCode).toBe("CHECKPOINT_UNAVAILABLE");
  });

  it("serves a checkpoint signed by the KMS identity whose root is the RFC 6962 root of the served entries", async () => {
    await release(4, false);
    await release(9, true);
    const size = kms.log.size();
    const checkpoint = (await get("/v1/log/checkpoint")).json;
    expect(checkpoint.treeSize).toBe(size);
    const signer = await recoverCheckpointSigner(checkpoint, platformPolicyDomain(31337, chain.platformPolicy));
    expect(signer).toBe(kms.identity.address);

    const { json } = await get(`/v1/log/entries?start=0&end=${size}`);
    expect(json.treeSize).toBe(size);
    expect(json.entries.map((entry: { index: number }) => entry.index)).toEqual([...Array(size).keys()]);
    const leafHashes = json.entries.map((entry: { leaf: string; leafHash: string }) => {
      const parsed = parseLeaf(utf8(entry.leaf));
      expect(toHex(parsed.leafHash)).toBe(entry.leafHash);
      return parsed.leafHash;
    });
    expect(`0x${toHex(rootFromLeafHashes(leafHashes))}`).toBe(checkpoint.rootHash);
  });

  it("serves inclusion proofs that verify for every leaf, at the current and at an older size", async () => {
    const size = kms.log.size();
    for (const treeSize of [size, 7]) {
      for (let index = 0; index < treeSize; index++) {
        const { status, json } = await get(`/v1/log/proof/inclusion?index=${index}&size=${treeSize}`);
        expect(status).toBe(200);
        verifyInclusion(fromHex(json.leafHash), index, treeSize, json.proof.map(fromHex), fromHex(json.rootHash));
        expect(json.rootHash).toBe(toHex(kms.log.root(treeSize)));
      }
    }
  });

  it("serves consistency proofs that verify between any two sizes", async () => {
    const size = kms.log.size();
    for (const [from, to] of [[0, size], [1, size], [4, 13], [7, size], [size, size]] as const) {
      const { status, json } = await get(`/v1/log/proof/consistency?from=${from}&to=${to}`);
      expect(status).toBe(200);
      verifyConsistency(from, to, fromHex(json.fromRoot), fromHex(json.toRoot), json.proof.map(fromHex));
    }
  });

  it("pages entries: a range past the end is cut at the log's size", async () => {
    const size = kms.log.size();
    const { json } = await get(`/v1/log/entries?start=${size - 2}&end=${size + 50}`);
    expect(json.entries.map((entry: { index: number }) => entry.index)).toEqual([size - 2, size - 1]);
  });

  it("refuses parameters out of range with 400 LOG_RANGE_INVALID", async () => {
    const size = kms.log.size();
    for (const path of [
      `/v1/log/entries?start=5&end=2`,
      `/v1/log/entries?start=${size + 1}&end=${size + 2}`,
      `/v1/log/proof/inclusion?index=${size}&size=${size}`,
      `/v1/log/proof/inclusion?index=0&size=${size + 1}`,
      `/v1/log/proof/consistency?from=5&to=3`,
      `/v1/log/proof/consistency?from=1&to=${size + 1}`,
    ]) {
      const answer = await get(path);
      expect(answer.json.errorCode, path).toBe("LOG_RANGE_INVALID");
      expect(answer.status, path).toBe(400);
    }
  });

  it("refuses missing or non-numeric parameters with 400 REQUEST_MALFORMED", async () => {
    for (const path of ["/v1/log/entries?start=0", "/v1/log/entries?start=-1&end=2", "/v1/log/proof/inclusion?index=x&size=1", "/v1/log/proof/consistency?from=1&to=2&extra=3", `/v1/log/proof/inclusion?index=0&size=${"9".repeat(20)}`]) {
      const answer = await get(path);
      expect(answer.json.errorCode, path).toBe("REQUEST_MALFORMED");
      expect(answer.status, path).toBe(400);
    }
  });
});

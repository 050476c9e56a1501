import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex, toHex0x } from "../../core/bytes";
import { AgentError } from "../../agent/errors";
import { startAgentChain, type AgentChain } from "./helpers/agentChain";
import { registeredKmsBench, runBoot, type AgentBench, type BootRun } from "./helpers/bootFixture";
import type { FakeKms, FakeKmsOptions } from "./helpers/fakeKms";

/**
 * The agent's receipt checks (docs/protocol.md §5): one misbehaving KMS per check, each
 * refused with its code, before the sealed key is opened, and never retried.
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

async function bootAgainst(overrides: Partial<FakeKmsOptions>): Promise<{ run: BootRun; kms: FakeKms }> {
  const kms = await bench.startKms(overrides);
  kmsServers.push(kms);
  return { run: await runBoot(bench, kms), kms };
}

async function expectRefused(overrides: Partial<FakeKmsOptions>, code: string): Promise<AgentError> {
  const { run, kms } = await bootAgainst(overrides);
  expect(run.result).toBeUndefined();
  expect(run.error).toBeInstanceOf(AgentError);
  expect((run.error as AgentError).code).toBe(code);
  expect(kms.keyRequests).toHaveLength(1);
  return run.error as AgentError;
}

function flipHexByte(hex: string, at = 0): string {
  const byte = (Number.parseInt(hex.slice(at * 2, at * 2 + 2), 16) ^ 0x01).toString(16).padStart(2, "0");
  return hex.slice(0, at * 2) + byte + hex.slice(at * 2 + 2);
}

describe("receipt checks", () => {
  it("accepts an honest KMS (control for every refusal below)", async () => {
    const { run } = await bootAgainst({});
    expect(run.error).toBeUndefined();
  });

  it("refuses a leaf edited after hashing: RECEIPT_INVALID", async () => {
    await expectRefused(
      { tamper: (response) => (response.receipt.leaf = response.receipt.leaf.replace(/"keyEpoch":0/, '"keyEpoch":1')) },
      "RECEIPT_INVALID",
    );
  });

  it("refuses a leaf that is not in its JCS encoding: RECEIPT_INVALID", async () => {
    await expectRefused({ tamper: (response) => (response.receipt.leaf = ` ${response.receipt.leaf}`) }, "RECEIPT_INVALID");
  });

  it("refuses a receipt whose fields break the protocol: RECEIPT_INVALID", async () => {
    await expectRefused({ tamper: (response) => (response.receipt.leafHash = "zz") }, "RECEIPT_INVALID");
  });

  it.each([
    ["appId", { appId: toHex0x(new Uint8Array(20).fill(0xee)) }],
    ["instanceId", { instanceId: toHex(new Uint8Array(20).fill(0xee)) }],
    ["composeHash", { composeHash: "ee".repeat(32) }],
    ["agentKeySha256", { agentKeySha256: "ee".repeat(32) }],
    ["chainId", { chainId: 8453 }],
    ["appRegistry", { appRegistry: toHex0x(new Uint8Array(20).fill(0xee)) }],
    ["policyBlock.number", { policyBlock: { number: 8, hash: `0x${"ab".repeat(32)}` } }],
  ])("refuses a correctly signed leaf that names another %s: RECEIPT_LEAF_MISMATCH", async (field, leafOverrides) => {
    const error = await expectRefused({ leafOverrides }, "RECEIPT_LEAF_MISMATCH");
    expect(error.message).toContain(field);
  });

  it("refuses an inclusion proof that does not lead to the signed root: RECEIPT_PROOF_INVALID", async () => {
    await expectRefused(
      { tamper: (response) => (response.receipt.inclusionProof[0] = flipHexByte(response.receipt.inclusionProof[0])) },
      "RECEIPT_PROOF_INVALID",
    );
  });

  it("refuses a receipt that places the leaf at another index: RECEIPT_PROOF_INVALID", async () => {
    await expectRefused({ tamper: (response) => (response.receipt.logIndex -= 1) }, "RECEIPT_PROOF_INVALID");
  });

  it("refuses a checkpoint signed by another key than the receipt's KMS: RECEIPT_SIGNATURE_INVALID", async () => {
    const impostor = privateKeyToAccount(generatePrivateKey());
    const error = await expectRefused({ signer: impostor, claimedKms: bench.kmsIdentity.address }, "RECEIPT_SIGNATURE_INVALID");
    expect(error.message).toContain(impostor.address);
  });

  it("refuses a checkpoint signed for another PlatformPolicy: RECEIPT_SIGNATURE_INVALID", async () => {
    await expectRefused({ signingPolicy: toHex0x(new Uint8Array(20).fill(0x77)) }, "RECEIPT_SIGNATURE_INVALID");
  });

  it("refuses a malformed signature: RECEIPT_SIGNATURE_INVALID", async () => {
    await expectRefused({ tamper: (response) => (response.receipt.signature = `0x${"00".repeat(65)}`) }, "RECEIPT_SIGNATURE_INVALID");
  });

  it("refuses a consistent receipt from a signer that is not registered on chain: KMS_NOT_REGISTERED", async () => {
    const unregistered = privateKeyToAccount(generatePrivateKey());
    const error = await expectRefused({ signer: unregistered }, "KMS_NOT_REGISTERED");
    expect(error.message).toContain(unregistered.address);
  });

  it("refuses a key sealed for another log entry: SEALED_KEY_INVALID", async () => {
    await expectRefused({ sealLogIndexOffset: 1 }, "SEALED_KEY_INVALID");
  });

  it("refuses a tampered sealed key: SEALED_KEY_INVALID", async () => {
    await expectRefused(
      { tamper: (response) => (response.sealedKey.ciphertext = flipHexByte(response.sealedKey.ciphertext, 3)) },
      "SEALED_KEY_INVALID",
    );
  });

  it("refuses a response without a sealed key: KMS_RESPONSE_INVALID", async () => {
    await expectRefused({ tamper: (response) => delete (response as { sealedKey?: unknown }).sealedKey }, "KMS_RESPONSE_INVALID");
  });
});

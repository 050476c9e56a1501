import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, http, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { chainFor } from "../../core/chain/clients";
import { platformPolicyAbi } from "../../core/contracts/generated/PlatformPolicy";
import { platformPolicyDomain } from "../../core/contracts/typedData";
import { signCheckpoint } from "../../core/releaseLog/checkpoint";
import { checkpointSubmitter } from "../../kms/anchor/submitCheckpoint";
import { devAccount, startTestChain, type TestChain } from "./testbedChain";

/**
 * A checkpoint transaction that was mined but never recorded by the KMS (a crash between the
 * two, or a receipt timeout): resubmitting it reverts with LogAnchorCheckpointExists, and the
 * submitter must reconcile with the chain instead of retrying that revert forever.
 */
let chain: TestChain;
const identity = privateKeyToAccount(generatePrivateKey());
const MEASUREMENT = `0x${"ab".repeat(32)}` as Hex;

beforeAll(async () => {
  chain = await startTestChain();
  await chain.governance.allowKmsMeasurement(MEASUREMENT);
  await chain.governance.registerKmsIdentity(identity.address, `0x${"cd".repeat(32)}`, MEASUREMENT);
});
afterAll(async () => chain?.stop());

function submitter() {
  const walletClient = createWalletClient({ account: devAccount(5), chain: chainFor(chain.deployment.chainId, chain.rpcUrl), transport: http(chain.rpcUrl) });
  return checkpointSubmitter({ publicClient: chain.client, walletClient, platformPolicy: chain.platformPolicy });
}
const domain = () => platformPolicyDomain(chain.deployment.chainId, chain.platformPolicy);

describe("anchoring reconciles with a checkpoint already on chain", () => {
  it("returns the original transaction when the same checkpoint was already recorded", async () => {
    const checkpoint = await signCheckpoint(identity, domain(), 3, `0x${"11".repeat(32)}`);
    const first = await submitter()(checkpoint);
    await chain.mine(2);
    // The KMS restarts without having recorded `first`, and submits the same checkpoint again.
    const again = await submitter()(checkpoint);
    expect(again).toEqual(first);
  });

  it("still refuses when the chain holds a different root at that size (a conflict is not an anchor)", async () => {
    const recorded = await signCheckpoint(identity, domain(), 5, `0x${"22".repeat(32)}`);
    await submitter()(recorded);
    const other = await signCheckpoint(identity, domain(), 5, `0x${"33".repeat(32)}`);
    // A different root at a recorded size does not revert: the contract keeps the conflict as evidence.
    const conflict = await submitter()(other);
    const events = await chain.client.getContractEvents({ address: chain.platformPolicy, abi: platformPolicyAbi, eventName: "CheckpointConflicted", fromBlock: BigInt(conflict.blockNumber), toBlock: BigInt(conflict.blockNumber) });
    expect(events).toHaveLength(1);
    expect(events[0]!.args.conflictingRoot).toBe(other.rootHash);
  });

  it("does not reconcile other reverts: an unknown KMS still fails", async () => {
    const stranger = privateKeyToAccount(generatePrivateKey());
    const checkpoint = await signCheckpoint(stranger, domain(), 1, `0x${"44".repeat(32)}`);
    await expect(submitter()(checkpoint)).rejects.toThrow(/LogAnchorUnknownKms/);
  });

  it("does not reconcile a smaller size that was never recorded (LogAnchorTreeSizeNotGrowing)", async () => {
    const checkpoint = await signCheckpoint(identity, domain(), 4, `0x${"55".repeat(32)}`);
    await expect(submitter()(checkpoint)).rejects.toThrow(/LogAnchorTreeSizeNotGrowing/);
  });
});

import { hashTypedData, recoverAddress } from "viem";
import { privateKeyToAccount, toAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { checkpointTypes, platformPolicyDomain } from "../../core/contracts/typedData";
import { leafHash } from "../../core/merkle";
import { randomBytes } from "node:crypto";
import { recoverCheckpointSigner, signCheckpoint, verifyCheckpointSignature } from "../../core/releaseLog";
import { checkpointDigest } from "../../core/releaseLog/checkpoint";
import { expectReleaseLogRejection, malleableTwin } from "./signatures";

const kmsAccount = privateKeyToAccount("0x59c6995e998f97a0a8a3ae0ba0d6b6e24b07d6c85a4a3b7e0b7b2b1d2a4e0b01");
const otherAccount = privateKeyToAccount("0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba");
const POLICY = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
const domain = platformPolicyDomain(31337, POLICY);
const root = leafHash(new Uint8Array([1, 2, 3]));

describe("signed checkpoints (EIP-712 Checkpoint under the PlatformPolicy domain)", () => {
  it("signs a checkpoint that recovers to the KMS identity and verifies", async () => {
    const checkpoint = await signCheckpoint(kmsAccount, domain, 42, root);
    expect(checkpoint.kms).toBe(kmsAccount.address);
    expect(checkpoint.treeSize).toBe(42);
    expect(checkpoint.rootHash).toBe(`0x${Buffer.from(root).toString("hex")}`);
    expect(await recoverCheckpointSigner(checkpoint, domain)).toBe(kmsAccount.address);
    await verifyCheckpointSignature(checkpoint, domain);
  });

  it("signs the digest the contract computes: hashTypedData of Checkpoint(uint64 treeSize,bytes32 rootHash)", async () => {
    const checkpoint = await signCheckpoint(kmsAccount, domain, 7, root);
    const digest = hashTypedData({
      domain,
      types: checkpointTypes,
      primaryType: "Checkpoint",
      message: { treeSize: 7n, rootHash: checkpoint.rootHash },
    });
    expect(await recoverAddress({ hash: digest, signature: checkpoint.signature })).toBe(kmsAccount.address);
  });

  it("computes viem's hashTypedData digest, and signs exactly what signTypedData signs, for random heads and domains", async () => {
    for (let i = 0; i < 40; i += 1) {
      const treeSize = i < 4 ? [0, 1, 2 ** 32, Number.MAX_SAFE_INTEGER][i]! : randomBytes(4).readUInt32BE() * (i % 7);
      const rootHash = `0x${randomBytes(32).toString("hex")}` as const;
      const where = i % 2 === 0 ? domain : platformPolicyDomain(1 + i * 977, `0x${randomBytes(20).toString("hex")}`);
      const message = { treeSize: BigInt(treeSize), rootHash };
      expect(checkpointDigest(where, treeSize, rootHash)).toBe(hashTypedData({ domain: where, types: checkpointTypes, primaryType: "Checkpoint", message }));
      const signed = await signCheckpoint(kmsAccount, where, treeSize, rootHash);
      expect(signed.signature).toBe(await kmsAccount.signTypedData({ domain: where, types: checkpointTypes, primaryType: "Checkpoint", message }));
    }
  });

  it("falls back to signTypedData for an account that cannot sign a raw digest (same signature)", async () => {
    const remote = toAccount({
      address: kmsAccount.address,
      signMessage: (parameters) => kmsAccount.signMessage(parameters),
      signTransaction: (transaction) => kmsAccount.signTransaction(transaction),
      signTypedData: (parameters) => kmsAccount.signTypedData(parameters),
    });
    expect(remote.sign).toBeUndefined();
    expect((await signCheckpoint(remote, domain, 9, root)).signature).toBe((await signCheckpoint(kmsAccount, domain, 9, root)).signature);
  });

  it("accepts a lowercase kms address (addresses compare case-insensitively)", async () => {
    const checkpoint = await signCheckpoint(kmsAccount, domain, 1, root);
    await verifyCheckpointSignature({ ...checkpoint, kms: checkpoint.kms.toLowerCase() as `0x${string}` }, domain);
  });

  it("refuses a checkpoint whose tree size or root was changed after signing", async () => {
    const checkpoint = await signCheckpoint(kmsAccount, domain, 42, root);
    await expectReleaseLogRejection(() => verifyCheckpointSignature({ ...checkpoint, treeSize: 43 }, domain), "CHECKPOINT_SIGNATURE_INVALID");
    const otherRoot = `0x${"00".repeat(31)}01` as const;
    await expectReleaseLogRejection(() => verifyCheckpointSignature({ ...checkpoint, rootHash: otherRoot }, domain), "CHECKPOINT_SIGNATURE_INVALID");
  });

  it("refuses a checkpoint claimed for another KMS identity", async () => {
    const checkpoint = await signCheckpoint(kmsAccount, domain, 42, root);
    await expectReleaseLogRejection(
      () => verifyCheckpointSignature({ ...checkpoint, kms: otherAccount.address }, domain),
      "CHECKPOINT_SIGNATURE_INVALID",
    );
  });

  it("refuses a checkpoint under another chain id or another policy contract", async () => {
    const checkpoint = await signCheckpoint(kmsAccount, domain, 42, root);
    await expectReleaseLogRejection(() => verifyCheckpointSignature(checkpoint, platformPolicyDomain(8453, POLICY)), "CHECKPOINT_SIGNATURE_INVALID");
    const otherPolicy = platformPolicyDomain(31337, "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
    await expectReleaseLogRejection(() => verifyCheckpointSignature(checkpoint, otherPolicy), "CHECKPOINT_SIGNATURE_INVALID");
  });

  it("refuses malformed and malleable (high-s) signatures, as the anchor contract does", async () => {
    const checkpoint = await signCheckpoint(kmsAccount, domain, 42, root);
    const variants = [
      malleableTwin(checkpoint.signature),
      checkpoint.signature.slice(0, -2),
      `${checkpoint.signature.slice(0, -2)}1b1b`,
      `${checkpoint.signature.slice(0, -2)}01`,
      `0x${"00".repeat(65)}`,
      "not hex",
    ];
    for (const signature of variants) {
      await expectReleaseLogRejection(
        () => verifyCheckpointSignature({ ...checkpoint, signature: signature as `0x${string}` }, domain),
        "CHECKPOINT_SIGNATURE_INVALID",
        signature,
      );
    }
  });

  it("refuses to sign or verify out-of-range fields with CHECKPOINT_INVALID", async () => {
    await expectReleaseLogRejection(() => signCheckpoint(kmsAccount, domain, -1, root), "CHECKPOINT_INVALID");
    await expectReleaseLogRejection(() => signCheckpoint(kmsAccount, domain, 2 ** 53, root), "CHECKPOINT_INVALID");
    await expectReleaseLogRejection(() => signCheckpoint(kmsAccount, domain, 1, root.subarray(1)), "CHECKPOINT_INVALID");
    await expectReleaseLogRejection(() => signCheckpoint(kmsAccount, domain, 1, "ab".repeat(32) as `0x${string}`), "CHECKPOINT_INVALID");
    const checkpoint = await signCheckpoint(kmsAccount, domain, 42, root);
    await expectReleaseLogRejection(() => verifyCheckpointSignature({ ...checkpoint, kms: "0x1234" }, domain), "CHECKPOINT_INVALID");
  });
});

/// <reference types="mocha" />
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { TypedDataEncoder } from "ethers";
import {
  CHECKPOINT_TYPES,
  deployWithKmsIdentitiesFixture,
  KMS_MEASUREMENT,
  signCheckpoint,
  testHash,
} from "./helpers/platformPolicy";
import { platformPolicyDomain } from "../../core/contracts/typedData";

const ROOT_1 = testHash("root of size 1");
const ROOT_5 = testHash("root of size 5");
const ROOT_9 = testHash("root of size 9");
const FORKED_ROOT_5 = testHash("forked root of size 5");

/** secp256k1 group order; s above n/2 is the malleable twin of a valid signature. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("LogAnchor (in PlatformPolicy)", function () {
  describe("typed data", function () {
    it("has a Solidity typehash that matches core/contracts/typedData.ts", async function () {
      const { policy, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      expect(await policy.CHECKPOINT_TYPEHASH()).to.equal(
        ethers.id(TypedDataEncoder.from(CHECKPOINT_TYPES).encodeType("Checkpoint")),
      );
      for (const [treeSize, rootHash] of [
        [1n, ROOT_1],
        [2n ** 64n - 1n, ROOT_9],
      ] as const) {
        expect(await policy.hashCheckpoint(treeSize, rootHash)).to.equal(
          TypedDataEncoder.hash(domain, CHECKPOINT_TYPES, { treeSize, rootHash }),
        );
      }
    });
  });

  describe("checkpoint", function () {
    it("records a checkpoint signed by an active KMS identity, submitted by anyone", async function () {
      const { policy, kmsA, submitter, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const signature = await signCheckpoint(kmsA, domain, 5n, ROOT_5);
      expect(await policy.connect(submitter).checkpoint.staticCall(5n, ROOT_5, signature)).to.equal(true);
      await expect(policy.connect(submitter).checkpoint(5n, ROOT_5, signature))
        .to.emit(policy, "CheckpointRecorded")
        .withArgs(kmsA.address, 5n, ROOT_5);
      expect(await policy.checkpointRoot(kmsA.address, 5n)).to.equal(ROOT_5);
      expect(await policy.latestCheckpoint(kmsA.address)).to.deep.equal([5n, ROOT_5]);
      expect((await policy.getKmsIdentity(kmsA.address)).latestTreeSize).to.equal(5n);
    });

    it("reports (0, 0) as the latest checkpoint of a KMS that anchored nothing", async function () {
      const { policy, kmsA, stranger } = await loadFixture(deployWithKmsIdentitiesFixture);
      expect(await policy.latestCheckpoint(kmsA.address)).to.deep.equal([0n, ethers.ZeroHash]);
      expect(await policy.latestCheckpoint(stranger.address)).to.deep.equal([0n, ethers.ZeroHash]);
    });

    it("records growing sizes one after another", async function () {
      const { policy, kmsA, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      for (const [treeSize, rootHash] of [
        [1n, ROOT_1],
        [5n, ROOT_5],
        [9n, ROOT_9],
      ] as const) {
        await expect(policy.checkpoint(treeSize, rootHash, await signCheckpoint(kmsA, domain, treeSize, rootHash)))
          .to.emit(policy, "CheckpointRecorded")
          .withArgs(kmsA.address, treeSize, rootHash);
      }
      expect(await policy.latestCheckpoint(kmsA.address)).to.deep.equal([9n, ROOT_9]);
      expect(await policy.checkpointRoot(kmsA.address, 1n)).to.equal(ROOT_1);
      expect(await policy.checkpointRoot(kmsA.address, 5n)).to.equal(ROOT_5);
    });

    it("refuses an empty tree (size 0)", async function () {
      const { policy, kmsA, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const signature = await signCheckpoint(kmsA, domain, 0n, ROOT_1);
      await expect(policy.checkpoint(0n, ROOT_1, signature)).to.be.revertedWithCustomError(policy, "LogAnchorEmptyTree");
    });

    it("refuses a zero root, which would read as 'nothing recorded'", async function () {
      const { policy, kmsA, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const signature = await signCheckpoint(kmsA, domain, 3n, ethers.ZeroHash);
      await expect(policy.checkpoint(3n, ethers.ZeroHash, signature)).to.be.revertedWithCustomError(
        policy,
        "LogAnchorZeroRoot",
      );
    });

    it("refuses a checkpoint signed by an address that is not a KMS identity", async function () {
      const { policy, stranger, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const signature = await signCheckpoint(stranger, domain, 5n, ROOT_5);
      await expect(policy.checkpoint(5n, ROOT_5, signature))
        .to.be.revertedWithCustomError(policy, "LogAnchorUnknownKms")
        .withArgs(stranger.address);
    });

    it("refuses a checkpoint signed by a removed identity, and accepts it again after re-registration", async function () {
      const { policy, governance, kmsA, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      await policy.checkpoint(1n, ROOT_1, await signCheckpoint(kmsA, domain, 1n, ROOT_1));
      await policy.connect(governance).removeKmsIdentity(kmsA.address);
      const signature = await signCheckpoint(kmsA, domain, 5n, ROOT_5);
      await expect(policy.checkpoint(5n, ROOT_5, signature))
        .to.be.revertedWithCustomError(policy, "LogAnchorUnknownKms")
        .withArgs(kmsA.address);

      await policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A2"), KMS_MEASUREMENT);
      // The identity's log history survives removal: its sizes must keep growing.
      expect((await policy.getKmsIdentity(kmsA.address)).latestTreeSize).to.equal(1n);
      await expect(policy.checkpoint(5n, ROOT_5, signature))
        .to.emit(policy, "CheckpointRecorded")
        .withArgs(kmsA.address, 5n, ROOT_5);
    });

    it("refuses sizes that do not grow (smaller, never anchored)", async function () {
      const { policy, kmsA, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      await policy.checkpoint(5n, ROOT_5, await signCheckpoint(kmsA, domain, 5n, ROOT_5));
      const smaller = testHash("root of size 4");
      await expect(policy.checkpoint(4n, smaller, await signCheckpoint(kmsA, domain, 4n, smaller)))
        .to.be.revertedWithCustomError(policy, "LogAnchorTreeSizeNotGrowing")
        .withArgs(kmsA.address, 4n, 5n);
      expect(await policy.latestCheckpoint(kmsA.address)).to.deep.equal([5n, ROOT_5]);
    });

    it("refuses the same root at the same size again", async function () {
      const { policy, kmsA, submitter, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const signature = await signCheckpoint(kmsA, domain, 5n, ROOT_5);
      await policy.checkpoint(5n, ROOT_5, signature);
      await expect(policy.connect(submitter).checkpoint(5n, ROOT_5, signature))
        .to.be.revertedWithCustomError(policy, "LogAnchorCheckpointExists")
        .withArgs(kmsA.address, 5n);
    });

    it("refuses the same root at an older anchored size", async function () {
      const { policy, kmsA, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const signature = await signCheckpoint(kmsA, domain, 1n, ROOT_1);
      await policy.checkpoint(1n, ROOT_1, signature);
      await policy.checkpoint(5n, ROOT_5, await signCheckpoint(kmsA, domain, 5n, ROOT_5));
      await expect(policy.checkpoint(1n, ROOT_1, signature))
        .to.be.revertedWithCustomError(policy, "LogAnchorCheckpointExists")
        .withArgs(kmsA.address, 1n);
    });

    it("publishes a conflicting root as CheckpointConflicted, without reverting or changing state", async function () {
      const { policy, kmsA, submitter, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      await policy.checkpoint(1n, ROOT_1, await signCheckpoint(kmsA, domain, 1n, ROOT_1));
      await policy.checkpoint(5n, ROOT_5, await signCheckpoint(kmsA, domain, 5n, ROOT_5));
      await policy.checkpoint(9n, ROOT_9, await signCheckpoint(kmsA, domain, 9n, ROOT_9));
      const evidence = await signCheckpoint(kmsA, domain, 5n, FORKED_ROOT_5);

      expect(await policy.connect(submitter).checkpoint.staticCall(5n, FORKED_ROOT_5, evidence)).to.equal(false);
      const tx = policy.connect(submitter).checkpoint(5n, FORKED_ROOT_5, evidence);
      await expect(tx)
        .to.emit(policy, "CheckpointConflicted")
        .withArgs(kmsA.address, 5n, ROOT_5, FORKED_ROOT_5, evidence);
      await expect(tx).not.to.emit(policy, "CheckpointRecorded");
      expect(await policy.checkpointRoot(kmsA.address, 5n)).to.equal(ROOT_5);
      expect(await policy.latestCheckpoint(kmsA.address)).to.deep.equal([9n, ROOT_9]);

      // The event alone proves the fork: the signature recovers to the KMS over the forked root.
      expect(ethers.verifyTypedData(domain, CHECKPOINT_TYPES, { treeSize: 5n, rootHash: FORKED_ROOT_5 }, evidence)).to.equal(
        kmsA.address,
      );
    });

    it("refuses a signature made for another chain id or another verifying contract", async function () {
      const { policy, kmsA, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const verifyingContract = (await policy.getAddress()) as `0x${string}`;
      const foreignDomains = [
        platformPolicyDomain(8453n, verifyingContract),
        platformPolicyDomain(BigInt(domain.chainId ?? 0), ethers.Wallet.createRandom().address as `0x${string}`),
      ];
      for (const foreign of foreignDomains) {
        const signature = await signCheckpoint(kmsA, foreign, 5n, ROOT_5);
        // Under this contract's domain the signature recovers to some other, unknown address.
        const recovered = ethers.recoverAddress(await policy.hashCheckpoint(5n, ROOT_5), signature);
        expect(recovered).not.to.equal(kmsA.address);
        await expect(policy.checkpoint(5n, ROOT_5, signature))
          .to.be.revertedWithCustomError(policy, "LogAnchorUnknownKms")
          .withArgs(recovered);
      }
    });

    it("refuses a signature over another root (recovers to an unknown address)", async function () {
      const { policy, kmsA, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const signature = await signCheckpoint(kmsA, domain, 5n, ROOT_5);
      const recovered = ethers.recoverAddress(await policy.hashCheckpoint(5n, ROOT_9), signature);
      await expect(policy.checkpoint(5n, ROOT_9, signature))
        .to.be.revertedWithCustomError(policy, "LogAnchorUnknownKms")
        .withArgs(recovered);
    });

    it("refuses malformed signatures: wrong length, high s, bad v", async function () {
      const { policy, kmsA, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const signature = ethers.Signature.from(await signCheckpoint(kmsA, domain, 5n, ROOT_5));
      const highS = ethers.toBeHex(SECP256K1_N - BigInt(signature.s), 32);
      const badV = ethers.concat([signature.r, signature.s, "0x1d"]);
      const malformed = [
        "0x",
        ethers.dataSlice(signature.serialized, 0, 64),
        signature.compactSerialized, // ERC-2098 64-byte form
        ethers.concat([signature.serialized, "0x00"]),
        ethers.concat([signature.r, highS, signature.v === 27 ? "0x1c" : "0x1b"]),
        badV,
      ];
      for (const bad of malformed) {
        await expect(policy.checkpoint(5n, ROOT_5, bad), bad).to.be.revertedWithCustomError(
          policy,
          "LogAnchorInvalidSignature",
        );
      }
    });

    it("keeps each KMS identity's log independent", async function () {
      const { policy, kmsA, kmsB, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      await policy.checkpoint(9n, ROOT_9, await signCheckpoint(kmsA, domain, 9n, ROOT_9));
      // B may anchor a smaller size, and a different root at a size A used, without conflict.
      await expect(policy.checkpoint(5n, FORKED_ROOT_5, await signCheckpoint(kmsB, domain, 5n, FORKED_ROOT_5)))
        .to.emit(policy, "CheckpointRecorded")
        .withArgs(kmsB.address, 5n, FORKED_ROOT_5);
      await expect(policy.checkpoint(9n, ROOT_1, await signCheckpoint(kmsB, domain, 9n, ROOT_1)))
        .to.emit(policy, "CheckpointRecorded")
        .withArgs(kmsB.address, 9n, ROOT_1);
      expect(await policy.latestCheckpoint(kmsA.address)).to.deep.equal([9n, ROOT_9]);
      expect(await policy.latestCheckpoint(kmsB.address)).to.deep.equal([9n, ROOT_1]);
      expect(await policy.checkpointRoot(kmsA.address, 5n)).to.equal(ethers.ZeroHash);
    });
  });

  describe("gas", function () {
    it("records a checkpoint for at most 60k gas", async function () {
      const { policy, kmsA, kmsB, submitter, domain } = await loadFixture(deployWithKmsIdentitiesFixture);
      const measure = async (kms: typeof kmsA, treeSize: bigint, rootHash: string) => {
        const signature = await signCheckpoint(kms, domain, treeSize, rootHash);
        const receipt = await (await policy.connect(submitter).checkpoint(treeSize, rootHash, signature)).wait();
        if (!receipt) throw new Error("no receipt");
        return receipt.gasUsed;
      };
      const first = await measure(kmsA, 1n, ROOT_1);
      const next = await measure(kmsA, 1_000_000n, ROOT_5);
      const firstOfOther = await measure(kmsB, 2n ** 40n, ROOT_9);
      const conflictSignature = await signCheckpoint(kmsA, domain, 1n, FORKED_ROOT_5);
      const conflictReceipt = await (await policy.checkpoint(1n, FORKED_ROOT_5, conflictSignature)).wait();
      if (!conflictReceipt) throw new Error("no receipt");
      const conflict = conflictReceipt.gasUsed;
      console.log(
        `      checkpoint gas: first for a KMS ${first}, later ${next}, first for another KMS ${firstOfOther}, conflict ${conflict}`,
      );
      for (const gasUsed of [first, next, firstOfOther]) expect(gasUsed).to.be.lte(60_000n);
    });
  });
});

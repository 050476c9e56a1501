/** AppRegistry: release approval by a relayed k-of-n bundle. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { AppRegistry } from "../../typechain-types";
import {
  deadlineSoon,
  deployAppRegistryFixture,
  label,
  registerApp,
  registryDomain,
  releaseBundle,
  signRelease,
  sortBySigner,
} from "./helpers/appRegistry";
import { COMPOSE_HASH, METADATA_DIGEST, UNKNOWN_APP, releaseMessage, approveFixtureRelease } from "./helpers/releases";

describe("AppRegistry", () => {
  describe("approveRelease", () => {
    it("records the release, relayed by anyone, and emits the signed nonce and sorted co-signers", async () => {
      const fixture = await loadFixture(deployAppRegistryFixture);
      const { registry, domain, signers, relayer, appId, noticePeriod } = fixture;
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([signers[1], signers[0]], domain, message);
      const tx = registry
        .connect(relayer)
        .approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle);
      await expect(tx)
        .to.emit(registry, "ReleaseApproved")
        .withArgs(appId, COMPOSE_HASH, METADATA_DIGEST, anyValue, 0, [signers[0].address, signers[1].address]);
      const minedAt = BigInt(await time.latest());
      expect(await registry.getRelease(appId, COMPOSE_HASH)).to.deep.equal([minedAt + BigInt(noticePeriod), 0n, 1n]);
    });

    it("accepts more signatures than the threshold", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([...signers], domain, message);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.emit(registry, "ReleaseApproved")
        .withArgs(appId, COMPOSE_HASH, METADATA_DIGEST, anyValue, 0, signers.map((signer) => signer.address));
    });

    it("is not allowed one second before activation and is allowed exactly at activation", async () => {
      const fixture = await loadFixture(deployAppRegistryFixture);
      const activatesAt = await approveFixtureRelease(fixture);
      expect(await fixture.registry.isReleaseAllowed(fixture.appId, COMPOSE_HASH)).to.equal(false);
      await time.increaseTo(activatesAt - 1n);
      expect(await fixture.registry.isReleaseAllowed(fixture.appId, COMPOSE_HASH)).to.equal(false);
      await time.increaseTo(activatesAt);
      expect(await fixture.registry.isReleaseAllowed(fixture.appId, COMPOSE_HASH)).to.equal(true);
    });

    it("allows a release at once when the notice period is zero", async () => {
      const { registry, domain, signers } = await loadFixture(deployAppRegistryFixture);
      const appId = await registerApp(registry, [signers[0].address], 1, 0);
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([signers[0]], domain, message);
      await registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle);
      expect(await registry.isReleaseAllowed(appId, COMPOSE_HASH)).to.equal(true);
    });

    it("refuses fewer signatures than the threshold", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([signers[0]], domain, message);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInsufficientSignatures")
        .withArgs(1, 2);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, []))
        .to.be.revertedWithCustomError(registry, "AppRegistryInsufficientSignatures")
        .withArgs(0, 2);
    });

    it("refuses a signature from an account that is not a signer", async () => {
      const { registry, domain, signers, outsider, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([signers[0], outsider], domain, message);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryNotASigner")
        .withArgs(appId, outsider.address);
    });

    it("refuses the same signer twice", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const single = await signRelease(signers[0], domain, message);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, [single, single]))
        .to.be.revertedWithCustomError(registry, "AppRegistryDuplicateSigner")
        .withArgs(signers[0].address);
    });

    it("refuses signatures that are not sorted by ascending signer", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([signers[0], signers[1]], domain, message);
      await expect(
        registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle.reverse()),
      ).to.be.revertedWithCustomError(registry, "AppRegistrySignersNotSorted");
    });

    it("refuses a signature made by another key than the named signer", async () => {
      const { registry, domain, signers, outsider, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const forged = { signer: signers[1].address, signature: (await signRelease(outsider, domain, message)).signature };
      const bundle = sortBySigner([await signRelease(signers[0], domain, message), forged]);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignature")
        .withArgs(signers[1].address);
    });

    it("refuses a bundle submitted with another metadata digest than was signed", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([signers[0], signers[1]], domain, message);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, label("other metadata"), message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignature")
        .withArgs(signers[0].address);
    });

    it("refuses a replayed bundle while the release is approved", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([signers[0], signers[1]], domain, message);
      await registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryReleaseAlreadyApproved")
        .withArgs(appId, COMPOSE_HASH);
    });

    it("refuses a replayed bundle after revocation, but accepts a bundle signed for the next nonce", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([signers[0], signers[1]], domain, message);
      await registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle);
      await registry.connect(signers[2]).revokeRelease(appId, COMPOSE_HASH);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignature")
        .withArgs(signers[0].address);

      const next = await releaseMessage(appId, 1);
      const nextBundle = await releaseBundle([signers[0], signers[1]], domain, next);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, next.deadline, nextBundle))
        .to.emit(registry, "ReleaseApproved")
        .withArgs(appId, COMPOSE_HASH, METADATA_DIGEST, anyValue, 1, [signers[0].address, signers[1].address]);
      const [, revokedAt, nonce] = await registry.getRelease(appId, COMPOSE_HASH);
      expect([revokedAt, nonce]).to.deep.equal([0n, 2n]);
    });

    it("refuses signatures made for another chain id", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = await releaseMessage(appId);
      const otherChain = { ...domain, chainId: 8453n };
      const bundle = await releaseBundle([signers[0], signers[1]], otherChain, message);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignature")
        .withArgs(signers[0].address);
    });

    it("refuses signatures made for another registry contract", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const other = (await ethers.deployContract("AppRegistry")) as unknown as AppRegistry;
      const message = await releaseMessage(appId);
      const bundle = await releaseBundle([signers[0], signers[1]], await registryDomain(other), message);
      expect((await registryDomain(other)).verifyingContract).to.not.equal(domain.verifyingContract);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignature")
        .withArgs(signers[0].address);
    });

    it("refuses a bundle after its deadline", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const deadline = BigInt(await time.latest()) + 100n;
      const message = { ...(await releaseMessage(appId)), deadline };
      const bundle = await releaseBundle([signers[0], signers[1]], domain, message);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryDeadlineExpired")
        .withArgs(deadline);
    });

    it("accepts a bundle mined in its deadline's second", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const deadline = BigInt(await time.latest()) + 100n;
      const message = { ...(await releaseMessage(appId)), deadline };
      const bundle = await releaseBundle([signers[0], signers[1]], domain, message);
      await time.setNextBlockTimestamp(deadline);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, deadline, bundle)).to.emit(
        registry,
        "ReleaseApproved",
      );
    });

    it("refuses an unknown app", async () => {
      const { registry } = await loadFixture(deployAppRegistryFixture);
      await expect(registry.approveRelease(UNKNOWN_APP, COMPOSE_HASH, METADATA_DIGEST, await deadlineSoon(), []))
        .to.be.revertedWithCustomError(registry, "AppRegistryUnknownApp")
        .withArgs(UNKNOWN_APP);
    });
  });
});

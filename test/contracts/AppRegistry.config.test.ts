/** AppRegistry: configuration updates and signer rotation. */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  ONE_DAY,
  appConfigUpdateBundle,
  deadlineSoon,
  deployAppRegistryFixture,
  releaseBundle,
} from "./helpers/appRegistry";
import { COMPOSE_HASH, METADATA_DIGEST, releaseMessage, approveFixtureRelease } from "./helpers/releases";

describe("AppRegistry", () => {
  describe("updateAppConfig", () => {
    async function rotatedFixture() {
      const fixture = await deployAppRegistryFixture();
      const { registry, domain, signers, spare, appId } = fixture;
      const newSigners = [spare[0]!, spare[1]!];
      const message = {
        appId,
        signers: newSigners.map((signer) => signer.address),
        threshold: 1,
        noticePeriod: 3600,
        configVersion: 1,
        deadline: await deadlineSoon(),
      };
      const bundle = await appConfigUpdateBundle([signers[0], signers[1]], domain, message);
      return { ...fixture, newSigners, message, bundle };
    }

    it("replaces the configuration with k current signatures and emits the new version", async () => {
      const { registry, appId, message, bundle, newSigners, signers } = await loadFixture(rotatedFixture);
      await expect(
        registry.updateAppConfig(appId, message.signers, 1, 3600, message.deadline, bundle),
      )
        .to.emit(registry, "AppConfigUpdated")
        .withArgs(appId, 2, message.signers, 1, 3600, ONE_DAY, anyValue);
      // The notice went down from one day: the floor keeps one day for one day.
      const updatedAt = BigInt(await time.latest());
      expect(await registry.getNoticeFloor(appId)).to.deep.equal([BigInt(ONE_DAY), updatedAt + BigInt(ONE_DAY)]);
      const app = await registry.getApp(appId);
      expect(app.signers).to.deep.equal(message.signers);
      expect([app.threshold, app.noticePeriod, app.configVersion, app.frozen]).to.deep.equal([1n, 3600n, 2n, false]);
      expect(await registry.isSigner(appId, newSigners[0]!.address)).to.equal(true);
      expect(await registry.isSigner(appId, signers[0].address)).to.equal(false);
    });

    it("takes power from old signers at once and gives it to new signers", async () => {
      const { registry, domain, appId, message, bundle, newSigners, signers } = await loadFixture(rotatedFixture);
      const oldRelease = await releaseMessage(appId);
      const oldBundle = await releaseBundle([signers[0], signers[1]], domain, oldRelease);
      await registry.updateAppConfig(appId, message.signers, 1, 3600, message.deadline, bundle);

      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, oldRelease.deadline, oldBundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryNotASigner")
        .withArgs(appId, signers[0].address);

      const newBundle = await releaseBundle([newSigners[1]!], domain, oldRelease);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, oldRelease.deadline, newBundle))
        .to.emit(registry, "ReleaseApproved");
      await expect(registry.connect(signers[2]).revokeRelease(appId, COMPOSE_HASH))
        .to.be.revertedWithCustomError(registry, "AppRegistryNotASigner")
        .withArgs(appId, signers[2].address);
      await expect(registry.connect(newSigners[0]!).revokeRelease(appId, COMPOSE_HASH)).to.emit(
        registry,
        "ReleaseRevoked",
      );
    });

    it("refuses signatures made for an earlier configuration version", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const addresses = signers.map((signer) => signer.address);
      const deadline = await deadlineSoon();
      const toOneOfThree = { appId, signers: addresses, threshold: 1, noticePeriod: 60, configVersion: 1, deadline };
      const bundle = await appConfigUpdateBundle([signers[0], signers[1]], domain, toOneOfThree);
      await registry.updateAppConfig(appId, addresses, 1, 60, deadline, bundle);
      await expect(registry.updateAppConfig(appId, addresses, 1, 60, deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignature")
        .withArgs(signers[0].address);
    });

    it("keeps the activation time of a pending release when the notice period changes", async () => {
      const fixture = await loadFixture(rotatedFixture);
      const activatesAt = await approveFixtureRelease(fixture);
      const { registry, appId, message, bundle } = fixture;
      await registry.updateAppConfig(appId, message.signers, 1, 3600, message.deadline, bundle);
      expect((await registry.getRelease(appId, COMPOSE_HASH)).activatesAt).to.equal(activatesAt);
    });

    it("refuses fewer signatures than the current threshold", async () => {
      const { registry, appId, message, bundle } = await loadFixture(rotatedFixture);
      await expect(registry.updateAppConfig(appId, message.signers, 1, 3600, message.deadline, bundle.slice(0, 1)))
        .to.be.revertedWithCustomError(registry, "AppRegistryInsufficientSignatures")
        .withArgs(1, 2);
    });

    it("refuses an invalid new configuration", async () => {
      const { registry, domain, signers, appId, message, bundle, spare } = await loadFixture(rotatedFixture);
      await expect(registry.updateAppConfig(appId, message.signers, 3, 3600, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidThreshold")
        .withArgs(3, 2);
      await expect(registry.updateAppConfig(appId, [], 1, 3600, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignerCount")
        .withArgs(0);
      await expect(registry.updateAppConfig(appId, message.signers, 1, 366 * ONE_DAY, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryNoticePeriodTooLong")
        .withArgs(366 * ONE_DAY, 365 * ONE_DAY);
      const duplicated = [spare[0]!.address, spare[0]!.address];
      const dupMessage = { ...message, signers: duplicated };
      const dupBundle = await appConfigUpdateBundle([signers[0], signers[1]], domain, dupMessage);
      await expect(registry.updateAppConfig(appId, duplicated, 1, 3600, message.deadline, dupBundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryDuplicateSigner")
        .withArgs(spare[0]!.address);
    });

    it("refuses an expired deadline", async () => {
      const { registry, appId, message, bundle } = await loadFixture(rotatedFixture);
      await time.increaseTo(message.deadline + 1n);
      await expect(registry.updateAppConfig(appId, message.signers, 1, 3600, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryDeadlineExpired")
        .withArgs(message.deadline);
    });
  });
});

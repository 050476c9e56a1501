/** AppRegistry: revocation by one signer, and freezing for ever. */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  appConfigUpdateBundle,
  appFreezeBundle,
  deadlineSoon,
  deployAppRegistryFixture,
  label,
  releaseBundle,
} from "./helpers/appRegistry";
import { COMPOSE_HASH, METADATA_DIGEST, UNKNOWN_APP, releaseMessage, approveFixtureRelease } from "./helpers/releases";

describe("AppRegistry", () => {
  describe("revokeRelease", () => {
    it("lets any one signer revoke an active release, effective at once", async () => {
      const fixture = await loadFixture(deployAppRegistryFixture);
      const { registry, signers, appId } = fixture;
      await time.increaseTo(await approveFixtureRelease(fixture));
      expect(await registry.isReleaseAllowed(appId, COMPOSE_HASH)).to.equal(true);
      const tx = registry.connect(signers[2]).revokeRelease(appId, COMPOSE_HASH);
      await expect(tx)
        .to.emit(registry, "ReleaseRevoked")
        .withArgs(appId, COMPOSE_HASH, signers[2].address, anyValue);
      const revokedAt = BigInt(await time.latest());
      expect(await registry.isReleaseAllowed(appId, COMPOSE_HASH)).to.equal(false);
      expect((await registry.getRelease(appId, COMPOSE_HASH)).revokedAt).to.equal(revokedAt);
    });

    it("revokes a pending release so that it never activates", async () => {
      const fixture = await loadFixture(deployAppRegistryFixture);
      const activatesAt = await approveFixtureRelease(fixture);
      await fixture.registry.connect(fixture.signers[0]).revokeRelease(fixture.appId, COMPOSE_HASH);
      await time.increaseTo(activatesAt + 10n);
      expect(await fixture.registry.isReleaseAllowed(fixture.appId, COMPOSE_HASH)).to.equal(false);
    });

    it("refuses a revocation by an account that is not a signer", async () => {
      const fixture = await loadFixture(deployAppRegistryFixture);
      await approveFixtureRelease(fixture);
      await expect(fixture.registry.connect(fixture.outsider).revokeRelease(fixture.appId, COMPOSE_HASH))
        .to.be.revertedWithCustomError(fixture.registry, "AppRegistryNotASigner")
        .withArgs(fixture.appId, fixture.outsider.address);
    });

    it("refuses to revoke twice", async () => {
      const fixture = await loadFixture(deployAppRegistryFixture);
      await approveFixtureRelease(fixture);
      await fixture.registry.connect(fixture.signers[0]).revokeRelease(fixture.appId, COMPOSE_HASH);
      await expect(fixture.registry.connect(fixture.signers[1]).revokeRelease(fixture.appId, COMPOSE_HASH))
        .to.be.revertedWithCustomError(fixture.registry, "AppRegistryReleaseAlreadyRevoked")
        .withArgs(fixture.appId, COMPOSE_HASH);
    });

    it("refuses to revoke a compose hash that was never approved", async () => {
      const { registry, signers, appId } = await loadFixture(deployAppRegistryFixture);
      await expect(registry.connect(signers[0]).revokeRelease(appId, COMPOSE_HASH))
        .to.be.revertedWithCustomError(registry, "AppRegistryReleaseNotApproved")
        .withArgs(appId, COMPOSE_HASH);
    });

    it("refuses an unknown app", async () => {
      const { registry, signers } = await loadFixture(deployAppRegistryFixture);
      await expect(registry.connect(signers[0]).revokeRelease(UNKNOWN_APP, COMPOSE_HASH))
        .to.be.revertedWithCustomError(registry, "AppRegistryUnknownApp")
        .withArgs(UNKNOWN_APP);
    });
  });

  describe("freezeApp", () => {
    async function frozenFixture() {
      const fixture = await deployAppRegistryFixture();
      const activatesAt = await approveFixtureRelease(fixture);
      const { registry, domain, signers, appId } = fixture;
      const message = { appId, configVersion: 1, deadline: await deadlineSoon() };
      const bundle = await appFreezeBundle([signers[0], signers[2]], domain, message);
      await registry.freezeApp(appId, message.deadline, bundle);
      return { ...fixture, activatesAt, freezeBundle: bundle, freezeDeadline: message.deadline };
    }

    it("needs k signatures", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = { appId, configVersion: 1, deadline: await deadlineSoon() };
      const bundle = await appFreezeBundle([signers[1]], domain, message);
      await expect(registry.freezeApp(appId, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInsufficientSignatures")
        .withArgs(1, 2);
    });

    it("freezes the app and emits its configuration version", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const message = { appId, configVersion: 1, deadline: await deadlineSoon() };
      const bundle = await appFreezeBundle([signers[0], signers[1]], domain, message);
      await expect(registry.freezeApp(appId, message.deadline, bundle)).to.emit(registry, "AppFrozen").withArgs(appId, 1);
      expect((await registry.getApp(appId)).frozen).to.equal(true);
    });

    it("refuses a freeze signed for an earlier configuration version", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const deadline = await deadlineSoon();
      const freeze = await appFreezeBundle([signers[0], signers[1]], domain, { appId, configVersion: 1, deadline });
      const addresses = signers.map((signer) => signer.address);
      const update = { appId, signers: addresses, threshold: 2, noticePeriod: 60, configVersion: 1, deadline };
      await registry.updateAppConfig(
        appId,
        addresses,
        2,
        60,
        deadline,
        await appConfigUpdateBundle([signers[0], signers[1]], domain, update),
      );
      await expect(registry.freezeApp(appId, deadline, freeze))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignature")
        .withArgs(signers[0].address);
    });

    it("blocks every later approval, revocation, update and freeze", async () => {
      const { registry, domain, signers, appId, freezeBundle, freezeDeadline } = await loadFixture(frozenFixture);
      const release = await releaseMessage(appId, 0, label("app-compose v2"));
      const releaseSigs = await releaseBundle([signers[0], signers[1]], domain, release);
      await expect(
        registry.approveRelease(appId, release.composeHash, METADATA_DIGEST, release.deadline, releaseSigs),
      )
        .to.be.revertedWithCustomError(registry, "AppRegistryAppFrozen")
        .withArgs(appId);
      await expect(registry.connect(signers[0]).revokeRelease(appId, COMPOSE_HASH))
        .to.be.revertedWithCustomError(registry, "AppRegistryAppFrozen")
        .withArgs(appId);
      const addresses = signers.map((signer) => signer.address);
      const update = { appId, signers: addresses, threshold: 1, noticePeriod: 0, configVersion: 1, deadline: freezeDeadline };
      const updateSigs = await appConfigUpdateBundle([signers[0], signers[1]], domain, update);
      await expect(registry.updateAppConfig(appId, addresses, 1, 0, freezeDeadline, updateSigs))
        .to.be.revertedWithCustomError(registry, "AppRegistryAppFrozen")
        .withArgs(appId);
      await expect(registry.freezeApp(appId, freezeDeadline, freezeBundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryAppFrozen")
        .withArgs(appId);
    });

    it("keeps existing releases: a pending release still activates on time", async () => {
      const { registry, appId, activatesAt } = await loadFixture(frozenFixture);
      expect(await registry.isReleaseAllowed(appId, COMPOSE_HASH)).to.equal(false);
      await time.increaseTo(activatesAt);
      expect(await registry.isReleaseAllowed(appId, COMPOSE_HASH)).to.equal(true);
    });
  });
});

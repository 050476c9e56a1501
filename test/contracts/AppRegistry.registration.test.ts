/** AppRegistry: registration: app ids, configurations and their limits. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import {
  ONE_DAY,
  deployAppRegistryFixture,
  expectedAppId,
  registerApp,
} from "./helpers/appRegistry";
import { COMPOSE_HASH, UNKNOWN_APP } from "./helpers/releases";

describe("AppRegistry", () => {
  describe("registerApp", () => {
    it("derives the app id from chain id, registry and count, and emits the full configuration", async () => {
      const { registry, signers, relayer } = await loadFixture(deployAppRegistryFixture);
      const { chainId } = await ethers.provider.getNetwork();
      const addresses = [signers[2].address, signers[0].address];
      const appId = expectedAppId(chainId, await registry.getAddress(), 2n);
      await expect(registry.connect(relayer).registerApp(addresses, 1, 3600))
        .to.emit(registry, "AppRegistered")
        .withArgs(appId, relayer.address, addresses, 1, 3600);
      expect(await registry.appCount()).to.equal(2n);
      const app = await registry.getApp(appId);
      expect(app.signers).to.deep.equal(addresses);
      expect([app.threshold, app.noticePeriod, app.configVersion, app.frozen]).to.deep.equal([1n, 3600n, 1n, false]);
      expect(await registry.isSigner(appId, signers[2].address)).to.equal(true);
      expect(await registry.isSigner(appId, signers[1].address)).to.equal(false);
    });

    it("accepts 32 signers and a one-year notice period", async () => {
      const { registry } = await loadFixture(deployAppRegistryFixture);
      const addresses = Array.from({ length: 32 }, () => ethers.Wallet.createRandom().address);
      await expect(registry.registerApp(addresses, 32, 365 * ONE_DAY)).to.emit(registry, "AppRegistered");
    });

    it("refuses an empty signer list", async () => {
      const { registry } = await loadFixture(deployAppRegistryFixture);
      await expect(registry.registerApp([], 1, 0))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignerCount")
        .withArgs(0);
    });

    it("refuses more than 32 signers", async () => {
      const { registry } = await loadFixture(deployAppRegistryFixture);
      const addresses = Array.from({ length: 33 }, () => ethers.Wallet.createRandom().address);
      await expect(registry.registerApp(addresses, 1, 0))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignerCount")
        .withArgs(33);
    });

    it("refuses the zero address as a signer", async () => {
      const { registry, signers } = await loadFixture(deployAppRegistryFixture);
      await expect(registry.registerApp([signers[0].address, ethers.ZeroAddress], 1, 0)).to.be.revertedWithCustomError(
        registry,
        "AppRegistryZeroAddressSigner",
      );
    });

    it("refuses a duplicate signer", async () => {
      const { registry, signers } = await loadFixture(deployAppRegistryFixture);
      const address = signers[1].address;
      await expect(registry.registerApp([address, signers[0].address, address], 1, 0))
        .to.be.revertedWithCustomError(registry, "AppRegistryDuplicateSigner")
        .withArgs(address);
    });

    it("refuses a zero threshold and a threshold above the signer count", async () => {
      const { registry, signers } = await loadFixture(deployAppRegistryFixture);
      const addresses = [signers[0].address, signers[1].address];
      await expect(registry.registerApp(addresses, 0, 0))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidThreshold")
        .withArgs(0, 2);
      await expect(registry.registerApp(addresses, 3, 0))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidThreshold")
        .withArgs(3, 2);
    });

    it("refuses a notice period longer than one year", async () => {
      const { registry, signers } = await loadFixture(deployAppRegistryFixture);
      const tooLong = 365 * ONE_DAY + 1;
      await expect(registry.registerApp([signers[0].address], 1, tooLong))
        .to.be.revertedWithCustomError(registry, "AppRegistryNoticePeriodTooLong")
        .withArgs(tooLong, 365 * ONE_DAY);
    });

    it("gives unknown apps no configuration and no releases", async () => {
      const { registry, signers } = await loadFixture(deployAppRegistryFixture);
      await expect(registry.getApp(UNKNOWN_APP))
        .to.be.revertedWithCustomError(registry, "AppRegistryUnknownApp")
        .withArgs(UNKNOWN_APP);
      expect(await registry.isSigner(UNKNOWN_APP, signers[0].address)).to.equal(false);
      expect(await registry.isReleaseAllowed(UNKNOWN_APP, COMPOSE_HASH)).to.equal(false);
    });
  });
});

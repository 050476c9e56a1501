/**
 * AppRegistry: a sender that is a current signer counts as one approval, with no signature. This is
 * the cheap single-signer path, and how a Safe approves: it executes the call itself.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  ONE_DAY,
  appConfigUpdateBundle,
  appFreezeBundle,
  deadlineSoon,
  deployAppRegistryFixture,
  registerApp,
  releaseBundle,
} from "./helpers/appRegistry";
import { COMPOSE_HASH, METADATA_DIGEST, deployWallet, releaseMessage } from "./helpers/releases";

describe("AppRegistry: the sender as a signer", () => {
  it("lets a single signer approve alone by sending the transaction, with no signature", async () => {
    const { registry, signers } = await loadFixture(deployAppRegistryFixture);
    const appId = await registerApp(registry, [signers[1].address], 1, 0);
    const deadline = await deadlineSoon();
    await expect(registry.connect(signers[1]).approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, deadline, []))
      .to.emit(registry, "ReleaseApproved")
      .withArgs(appId, COMPOSE_HASH, METADATA_DIGEST, anyValue, 0, [signers[1].address]);
    expect(await registry.isReleaseAllowed(appId, COMPOSE_HASH)).to.equal(true);
  });

  it("counts the sender as one of k and lists it in ascending order among the bundle's signers", async () => {
    const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
    const addresses = signers.map((signer) => signer.address);
    // signers are sorted, so the sender lands first, in the middle and last in turn.
    const cases = [
      { sender: signers[0], bundleOf: [signers[2]], expected: [addresses[0], addresses[2]] },
      { sender: signers[1], bundleOf: [signers[0], signers[2]], expected: addresses },
      { sender: signers[2], bundleOf: [signers[1]], expected: [addresses[1], addresses[2]] },
    ];
    for (const [index, { sender, bundleOf, expected }] of cases.entries()) {
      const message = await releaseMessage(appId, 0, `0x${(index + 1).toString(16).padStart(64, "0")}`);
      const bundle = await releaseBundle(bundleOf, domain, message);
      await expect(
        registry
          .connect(sender)
          .approveRelease(appId, message.composeHash, METADATA_DIGEST, message.deadline, bundle),
      )
        .to.emit(registry, "ReleaseApproved")
        .withArgs(appId, message.composeHash, METADATA_DIGEST, anyValue, 0, expected);
    }
  });

  it("does not count a sender that is not a signer", async () => {
    const { registry, domain, signers, outsider, appId } = await loadFixture(deployAppRegistryFixture);
    const message = await releaseMessage(appId);
    const bundle = await releaseBundle([signers[0]], domain, message);
    await expect(registry.connect(outsider).approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
      .to.be.revertedWithCustomError(registry, "AppRegistryInsufficientSignatures")
      .withArgs(1, 2);
    await expect(registry.connect(outsider).approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, []))
      .to.be.revertedWithCustomError(registry, "AppRegistryInsufficientSignatures")
      .withArgs(0, 2);
  });

  it("refuses a bundle that also holds the sender's own signature", async () => {
    const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
    const message = await releaseMessage(appId);
    const bundle = await releaseBundle([signers[0], signers[1]], domain, message);
    for (const sender of [signers[0], signers[1]]) {
      await expect(registry.connect(sender).approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryDuplicateSigner")
        .withArgs(sender.address);
    }
  });

  it("does not count a signer that was rotated out", async () => {
    const { registry, domain, signers, spare, appId } = await loadFixture(deployAppRegistryFixture);
    const deadline = await deadlineSoon();
    const update = { appId, signers: [spare[0]!.address], threshold: 1, noticePeriod: 0, configVersion: 1, deadline };
    await registry.updateAppConfig(appId, update.signers, 1, 0, deadline, await appConfigUpdateBundle([signers[0], signers[1]], domain, update));
    await expect(registry.connect(signers[0]).approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, deadline, []))
      .to.be.revertedWithCustomError(registry, "AppRegistryInsufficientSignatures")
      .withArgs(0, 1);
  });

  it("still enforces the deadline when the sender approves alone", async () => {
    const { registry, signers } = await loadFixture(deployAppRegistryFixture);
    const appId = await registerApp(registry, [signers[0].address], 1, 0);
    const deadline = BigInt(await time.latest()) + 10n;
    await time.setNextBlockTimestamp(deadline + 1n);
    await expect(registry.connect(signers[0]).approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, deadline, []))
      .to.be.revertedWithCustomError(registry, "AppRegistryDeadlineExpired")
      .withArgs(deadline);
  });

  it("lets a contract wallet signer (a Safe) approve by executing the call itself", async () => {
    const { registry, domain, signers, spare } = await loadFixture(deployAppRegistryFixture);
    const owner = spare[0]!;
    const wallet = await deployWallet(owner.address, false);
    const walletAddress = await wallet.getAddress();
    const appId = await registerApp(registry, [signers[0].address, walletAddress], 2, 0);
    const message = await releaseMessage(appId);
    const bundle = await releaseBundle([signers[0]], domain, message);
    const call = registry.interface.encodeFunctionData("approveRelease", [
      appId,
      COMPOSE_HASH,
      METADATA_DIGEST,
      message.deadline,
      bundle,
    ]);
    const expected = [signers[0].address, walletAddress].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    await expect(wallet.connect(owner).execute(await registry.getAddress(), call))
      .to.emit(registry, "ReleaseApproved")
      .withArgs(appId, COMPOSE_HASH, METADATA_DIGEST, anyValue, 0, expected);
    expect(await registry.isReleaseAllowed(appId, COMPOSE_HASH)).to.equal(true);
  });

  it("counts the sender for configuration updates and freezes too", async () => {
    const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
    const addresses = signers.map((signer) => signer.address);
    const deadline = await deadlineSoon();
    const update = { appId, signers: addresses, threshold: 2, noticePeriod: ONE_DAY, configVersion: 1, deadline };
    const updateBundle = await appConfigUpdateBundle([signers[1]], domain, update);
    await expect(registry.connect(signers[0]).updateAppConfig(appId, addresses, 2, ONE_DAY, deadline, updateBundle))
      .to.emit(registry, "AppConfigUpdated")
      .withArgs(appId, 2, addresses, 2, ONE_DAY, 0, 0);

    const freeze = { appId, configVersion: 2, deadline };
    await expect(registry.connect(signers[0]).freezeApp(appId, deadline, await appFreezeBundle([signers[0]], domain, freeze)))
      .to.be.revertedWithCustomError(registry, "AppRegistryDuplicateSigner")
      .withArgs(signers[0].address);
    await expect(registry.connect(signers[2]).freezeApp(appId, deadline, await appFreezeBundle([signers[0]], domain, freeze)))
      .to.emit(registry, "AppFrozen")
      .withArgs(appId, 2);
  });
});

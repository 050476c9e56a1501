import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { AppRegistry, MockERC1271Wallet } from "../../typechain-types";
import { appRegistryDomain } from "../../core/contracts/typedData";
import {
  APP_CONFIG_UPDATE_TYPES,
  APP_FREEZE_TYPES,
  ONE_DAY,
  RELEASE_TYPES,
  appConfigUpdateBundle,
  appFreezeBundle,
  deadlineSoon,
  deployAppRegistryFixture,
  expectedAppId,
  label,
  registerApp,
  registryDomain,
  releaseBundle,
  signRelease,
  sortBySigner,
  type AppRegistryFixture,
  type ReleaseMessage,
} from "./helpers/appRegistry";

const COMPOSE_HASH = label("app-compose v1");
const METADATA_DIGEST = label("commit abc123, image sha256:..., tag v1.0.0");

async function releaseMessage(appId: string, nonce = 0, composeHash = COMPOSE_HASH): Promise<ReleaseMessage> {
  return { appId, composeHash, metadataDigest: METADATA_DIGEST, nonce, deadline: await deadlineSoon() };
}

/** Approves COMPOSE_HASH with signers 0 and 1 of the fixture app; returns activatesAt. */
async function approveFixtureRelease(fixture: AppRegistryFixture, nonce = 0): Promise<bigint> {
  const { registry, domain, signers, relayer, appId } = fixture;
  const message = await releaseMessage(appId, nonce);
  const bundle = await releaseBundle([signers[0], signers[1]], domain, message);
  await registry
    .connect(relayer)
    .approveRelease(appId, message.composeHash, message.metadataDigest, message.deadline, bundle);
  const [activatesAt] = await registry.getRelease(appId, COMPOSE_HASH);
  return activatesAt;
}

async function deployWallet(owner: string, wrongMagic: boolean): Promise<MockERC1271Wallet> {
  const wallet = (await ethers.deployContract("MockERC1271Wallet", [owner, wrongMagic])) as unknown as MockERC1271Wallet;
  await wallet.waitForDeployment();
  return wallet;
}

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
      const unknown = label("no such app").slice(0, 42);
      await expect(registry.getApp(unknown))
        .to.be.revertedWithCustomError(registry, "AppRegistryUnknownApp")
        .withArgs(unknown);
      expect(await registry.isSigner(unknown, signers[0].address)).to.equal(false);
      expect(await registry.isReleaseAllowed(unknown, COMPOSE_HASH)).to.equal(false);
    });
  });

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
      const unknown = label("no such app").slice(0, 42);
      await expect(registry.approveRelease(unknown, COMPOSE_HASH, METADATA_DIGEST, await deadlineSoon(), []))
        .to.be.revertedWithCustomError(registry, "AppRegistryUnknownApp")
        .withArgs(unknown);
    });
  });

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
      const unknown = label("no such app").slice(0, 42);
      await expect(registry.connect(signers[0]).revokeRelease(unknown, COMPOSE_HASH))
        .to.be.revertedWithCustomError(registry, "AppRegistryUnknownApp")
        .withArgs(unknown);
    });
  });

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
        .withArgs(appId, 2, message.signers, 1, 3600);
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

  describe("ERC-1271 contract wallet signers", () => {
    async function walletFixture() {
      const fixture = await deployAppRegistryFixture();
      const [owner, stranger] = fixture.spare;
      if (!owner || !stranger) throw new Error("need spare accounts");
      const wallet = await deployWallet(owner.address, false);
      const badWallet = await deployWallet(owner.address, true);
      const walletAddress = await wallet.getAddress();
      const badWalletAddress = await badWallet.getAddress();
      const appId = await registerApp(
        fixture.registry,
        [fixture.signers[0].address, walletAddress, badWalletAddress],
        2,
        0,
      );
      return { ...fixture, appId, owner, stranger, wallet, walletAddress, badWalletAddress };
    }

    /** The wallet owner's EIP-712 signature, presented as the wallet's. */
    async function walletSignature(owner: Parameters<typeof signRelease>[0], walletAddress: string, domain: AppRegistryFixture["domain"], message: ReleaseMessage) {
      return { signer: walletAddress, signature: (await signRelease(owner, domain, message)).signature };
    }

    it("accepts a wallet whose isValidSignature returns the ERC-1271 magic value", async () => {
      const { registry, domain, signers, appId, owner, walletAddress } = await loadFixture(walletFixture);
      const message = await releaseMessage(appId);
      const bundle = sortBySigner([
        await signRelease(signers[0], domain, message),
        await walletSignature(owner, walletAddress, domain, message),
      ]);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.emit(registry, "ReleaseApproved")
        .withArgs(appId, COMPOSE_HASH, METADATA_DIGEST, anyValue, 0, bundle.map((entry) => entry.signer));
      expect(await registry.isReleaseAllowed(appId, COMPOSE_HASH)).to.equal(true);
    });

    it("refuses a wallet that returns a wrong magic value", async () => {
      const { registry, domain, signers, appId, owner, badWalletAddress } = await loadFixture(walletFixture);
      const message = await releaseMessage(appId);
      const bundle = sortBySigner([
        await signRelease(signers[0], domain, message),
        await walletSignature(owner, badWalletAddress, domain, message),
      ]);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignature")
        .withArgs(badWalletAddress);
    });

    it("refuses a wallet signature made by someone other than its owner", async () => {
      const { registry, domain, signers, appId, stranger, walletAddress } = await loadFixture(walletFixture);
      const message = await releaseMessage(appId);
      const bundle = sortBySigner([
        await signRelease(signers[0], domain, message),
        await walletSignature(stranger, walletAddress, domain, message),
      ]);
      await expect(registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle))
        .to.be.revertedWithCustomError(registry, "AppRegistryInvalidSignature")
        .withArgs(walletAddress);
    });

    it("lets a wallet signer revoke as msg.sender", async () => {
      const { registry, domain, signers, appId, owner, wallet, walletAddress } = await loadFixture(walletFixture);
      const message = await releaseMessage(appId);
      const bundle = sortBySigner([
        await signRelease(signers[0], domain, message),
        await walletSignature(owner, walletAddress, domain, message),
      ]);
      await registry.approveRelease(appId, COMPOSE_HASH, METADATA_DIGEST, message.deadline, bundle);
      const call = registry.interface.encodeFunctionData("revokeRelease", [appId, COMPOSE_HASH]);
      await expect(wallet.connect(owner).execute(await registry.getAddress(), call))
        .to.emit(registry, "ReleaseRevoked")
        .withArgs(appId, COMPOSE_HASH, walletAddress, anyValue);
      expect(await registry.isReleaseAllowed(appId, COMPOSE_HASH)).to.equal(false);
    });
  });

  describe("EIP-712 definitions", () => {
    it("uses the typehashes of core/contracts/typedData.ts", async () => {
      const { registry } = await loadFixture(deployAppRegistryFixture);
      const typehash = (types: typeof RELEASE_TYPES, name: string) =>
        ethers.id(ethers.TypedDataEncoder.from(types).encodeType(name));
      expect(await registry.RELEASE_TYPEHASH()).to.equal(typehash(RELEASE_TYPES, "Release"));
      expect(await registry.APP_CONFIG_UPDATE_TYPEHASH()).to.equal(typehash(APP_CONFIG_UPDATE_TYPES, "AppConfigUpdate"));
      expect(await registry.APP_FREEZE_TYPEHASH()).to.equal(typehash(APP_FREEZE_TYPES, "AppFreeze"));
    });

    it("computes the same digests as ethers' TypedDataEncoder", async () => {
      const { registry, domain, signers, appId } = await loadFixture(deployAppRegistryFixture);
      const release = { appId, composeHash: COMPOSE_HASH, metadataDigest: METADATA_DIGEST, nonce: 7, deadline: 1234n };
      expect(await registry.hashRelease(appId, COMPOSE_HASH, METADATA_DIGEST, 7, 1234n)).to.equal(
        ethers.TypedDataEncoder.hash(domain, RELEASE_TYPES, release),
      );
      const addresses = signers.map((signer) => signer.address);
      const update = { appId, signers: addresses, threshold: 2, noticePeriod: 99, configVersion: 3, deadline: 1234n };
      expect(await registry.hashAppConfigUpdate(appId, addresses, 2, 99, 3, 1234n)).to.equal(
        ethers.TypedDataEncoder.hash(domain, APP_CONFIG_UPDATE_TYPES, update),
      );
      const freeze = { appId, configVersion: 3, deadline: 1234n };
      expect(await registry.hashAppFreeze(appId, 3, 1234n)).to.equal(
        ethers.TypedDataEncoder.hash(domain, APP_FREEZE_TYPES, freeze),
      );
    });

    it("publishes its domain through ERC-5267", async () => {
      const { registry } = await loadFixture(deployAppRegistryFixture);
      const { chainId } = await ethers.provider.getNetwork();
      const expected = appRegistryDomain(chainId, (await registry.getAddress()) as `0x${string}`);
      const domain = await registry.eip712Domain();
      expect([domain.name, domain.version, domain.chainId, domain.verifyingContract]).to.deep.equal([
        expected.name,
        expected.version,
        expected.chainId,
        expected.verifyingContract,
      ]);
    });
  });

  describe("gas", () => {
    async function gasUsed(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<bigint> {
      const receipt = await (await tx).wait();
      if (!receipt) throw new Error("no receipt");
      return receipt.gasUsed;
    }

    it("keeps a single-signer approval within 20k gas of a plain allowlist write", async () => {
      const { registry, domain, signers, relayer, spare } = await loadFixture(deployAppRegistryFixture);
      const allowlist = await ethers.deployContract("PlainAllowlist");
      const register1 = await gasUsed(registry.registerApp([spare[0]!.address], 1, ONE_DAY));
      const register3 = await gasUsed(registry.registerApp(signers.map((signer) => signer.address), 2, ONE_DAY));
      const soloApp = await registerApp(registry, [signers[0].address], 1, ONE_DAY);
      const groupApp = await registerApp(registry, signers.map((signer) => signer.address), 2, ONE_DAY);

      const solo = await releaseMessage(soloApp);
      const soloBundle = await releaseBundle([signers[0]], domain, solo);
      const approve1 = await gasUsed(
        registry.connect(relayer).approveRelease(soloApp, COMPOSE_HASH, METADATA_DIGEST, solo.deadline, soloBundle),
      );
      const group = await releaseMessage(groupApp);
      const groupBundle = await releaseBundle([signers[0], signers[2]], domain, group);
      const approve2of3 = await gasUsed(
        registry.connect(relayer).approveRelease(groupApp, COMPOSE_HASH, METADATA_DIGEST, group.deadline, groupBundle),
      );
      const revoke = await gasUsed(registry.connect(signers[1]).revokeRelease(groupApp, COMPOSE_HASH));
      const plain = await gasUsed(allowlist.allow(soloApp, COMPOSE_HASH));

      console.log(
        `      gas: registerApp 1 signer ${register1}, 3 signers ${register3}; approveRelease k=1 ${approve1}, ` +
          `k=2 of 3 ${approve2of3}; revokeRelease ${revoke}; PlainAllowlist.allow ${plain}`,
      );
      expect(approve1 - plain < 20_000n, `approve k=1 ${approve1} vs plain ${plain}`).to.equal(true);
    });
  });
});

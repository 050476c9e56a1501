/** AppRegistry: ERC-1271 contract wallet signers. */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  deployAppRegistryFixture,
  registerApp,
  signRelease,
  sortBySigner,
  type AppRegistryFixture,
  type ReleaseMessage,
} from "./helpers/appRegistry";
import { COMPOSE_HASH, METADATA_DIGEST, releaseMessage, deployWallet } from "./helpers/releases";

describe("AppRegistry", () => {
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
});

/** AppRegistry: EIP-712 typehashes, digests and domain. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { appRegistryDomain } from "../../core/contracts/typedData";
import {
  APP_CONFIG_UPDATE_TYPES,
  APP_FREEZE_TYPES,
  RELEASE_TYPES,
  deployAppRegistryFixture,
} from "./helpers/appRegistry";
import { COMPOSE_HASH, METADATA_DIGEST } from "./helpers/releases";

describe("AppRegistry", () => {
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
});

/**
 * Release fixtures shared by the AppRegistry test files: one compose hash and metadata digest, a
 * release message for the fixture app, and an ERC-1271 wallet deployer.
 */
import { ethers } from "hardhat";
import type { MockERC1271Wallet } from "../../../typechain-types";
import { deadlineSoon, label, releaseBundle, type AppRegistryFixture, type ReleaseMessage } from "./appRegistry";

export const COMPOSE_HASH = label("app-compose v1");
export const METADATA_DIGEST = label("commit abc123, image sha256:..., tag v1.0.0");
/** An app id nobody registered. */
export const UNKNOWN_APP = label("no such app").slice(0, 42);

/** A release of `composeHash` for `appId` with the given nonce, good for one hour. */
export async function releaseMessage(appId: string, nonce = 0, composeHash = COMPOSE_HASH): Promise<ReleaseMessage> {
  return { appId, composeHash, metadataDigest: METADATA_DIGEST, nonce, deadline: await deadlineSoon() };
}

/** Approves COMPOSE_HASH with signers 0 and 1 of the fixture app, relayed; returns activatesAt. */
export async function approveFixtureRelease(fixture: AppRegistryFixture, nonce = 0): Promise<bigint> {
  const { registry, domain, signers, relayer, appId } = fixture;
  const message = await releaseMessage(appId, nonce);
  const bundle = await releaseBundle([signers[0], signers[1]], domain, message);
  await registry
    .connect(relayer)
    .approveRelease(appId, message.composeHash, message.metadataDigest, message.deadline, bundle);
  const [activatesAt] = await registry.getRelease(appId, COMPOSE_HASH);
  return activatesAt;
}

/** A mock contract wallet (a Safe stand-in) owned by `owner`; `wrongMagic` makes it answer ERC-1271 wrongly. */
export async function deployWallet(owner: string, wrongMagic: boolean): Promise<MockERC1271Wallet> {
  const wallet = (await ethers.deployContract("MockERC1271Wallet", [owner, wrongMagic])) as unknown as MockERC1271Wallet;
  await wallet.waitForDeployment();
  return wallet;
}

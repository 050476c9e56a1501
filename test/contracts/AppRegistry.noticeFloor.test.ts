/**
 * AppRegistry: lowering the notice period never shortens the public notice. Until the replaced
 * notice period has passed since the update, approvals still get it. The app here has one signer,
 * who sends its updates and approvals itself (a sender that is a signer counts as its approval).
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AppRegistry } from "../../typechain-types";
import { ONE_DAY, deployAppRegistryFixture, label, registerApp } from "./helpers/appRegistry";
import { METADATA_DIGEST } from "./helpers/releases";

const DAY = BigInt(ONE_DAY);
/** The sender signs nothing, so the deadline only has to lie beyond the time jumps below. */
const FAR_DEADLINE = 2n ** 40n;

async function soloAppFixture() {
  const fixture = await deployAppRegistryFixture();
  const maintainer = fixture.signers[0];
  const registry = fixture.registry.connect(maintainer);
  const appId = await registerApp(registry, [maintainer.address], 1, 30 * ONE_DAY);
  return { registry, maintainer, appId };
}

/** Sets the solo app's notice period; returns the update's block timestamp. */
async function setNotice(registry: AppRegistry, maintainer: HardhatEthersSigner, appId: string, days: bigint) {
  await registry.updateAppConfig(appId, [maintainer.address], 1, days * DAY, FAR_DEADLINE, []);
  return BigInt(await time.latest());
}

/** Approves a fresh compose hash; returns the approval's block timestamp and its activatesAt. */
async function approve(registry: AppRegistry, appId: string, name: string) {
  const composeHash = label(name);
  await registry.approveRelease(appId, composeHash, METADATA_DIGEST, FAR_DEADLINE, []);
  const approvedAt = BigInt(await time.latest());
  const [activatesAt] = await registry.getRelease(appId, composeHash);
  return { composeHash, approvedAt, activatesAt };
}

describe("AppRegistry: notice floor", () => {
  it("keeps the old notice for an approval made right after a lowering update", async () => {
    const { registry, maintainer, appId } = await loadFixture(soloAppFixture);
    const updatedAt = await setNotice(registry, maintainer, appId, 0n);
    expect(await registry.getNoticeFloor(appId)).to.deep.equal([30n * DAY, updatedAt + 30n * DAY]);
    expect(await registry.effectiveNoticePeriod(appId)).to.equal(30n * DAY);

    const { composeHash, approvedAt, activatesAt } = await approve(registry, appId, "right after");
    expect(activatesAt).to.equal(approvedAt + 30n * DAY);
    expect(await registry.isReleaseAllowed(appId, composeHash)).to.equal(false);
  });

  it("does not shorten the activation of a release approved one second before the old notice elapsed", async () => {
    const { registry, maintainer, appId } = await loadFixture(soloAppFixture);
    const updatedAt = await setNotice(registry, maintainer, appId, 0n);
    await time.setNextBlockTimestamp(updatedAt + 30n * DAY - 1n);
    const { approvedAt, activatesAt } = await approve(registry, appId, "last second of the floor");
    expect(approvedAt).to.equal(updatedAt + 30n * DAY - 1n);
    expect(activatesAt).to.equal(approvedAt + 30n * DAY);
  });

  it("applies the new, lower notice from the moment the old notice has elapsed since the update", async () => {
    const { registry, maintainer, appId } = await loadFixture(soloAppFixture);
    const updatedAt = await setNotice(registry, maintainer, appId, 1n);
    await time.setNextBlockTimestamp(updatedAt + 30n * DAY);
    const { composeHash, approvedAt, activatesAt } = await approve(registry, appId, "floor elapsed");
    expect(activatesAt).to.equal(approvedAt + DAY);
    expect(await registry.effectiveNoticePeriod(appId)).to.equal(DAY);
    await time.increaseTo(activatesAt);
    expect(await registry.isReleaseAllowed(appId, composeHash)).to.equal(true);
  });

  it("applies a higher notice at once", async () => {
    const { registry, maintainer, appId } = await loadFixture(soloAppFixture);
    await setNotice(registry, maintainer, appId, 40n);
    expect(await registry.getNoticeFloor(appId)).to.deep.equal([0n, 0n]);
    const { approvedAt, activatesAt } = await approve(registry, appId, "raised");
    expect(activatesAt).to.equal(approvedAt + 40n * DAY);
  });

  it("keeps an active floor through a raise that stays below it", async () => {
    const { registry, maintainer, appId } = await loadFixture(soloAppFixture);
    const loweredAt = await setNotice(registry, maintainer, appId, 0n);
    await setNotice(registry, maintainer, appId, 5n);
    expect(await registry.getNoticeFloor(appId)).to.deep.equal([30n * DAY, loweredAt + 30n * DAY]);
    const { approvedAt, activatesAt } = await approve(registry, appId, "raised below the floor");
    expect(activatesAt).to.equal(approvedAt + 30n * DAY);
  });

  it("cannot be walked around by a chain of lowering updates", async () => {
    const { registry, maintainer, appId } = await loadFixture(soloAppFixture);
    const firstAt = await setNotice(registry, maintainer, appId, 10n);
    await time.increase(ONE_DAY);
    await setNotice(registry, maintainer, appId, 0n);
    // The 30-day floor of the first update still holds; the 10-day one ends earlier.
    expect(await registry.getNoticeFloor(appId)).to.deep.equal([30n * DAY, firstAt + 30n * DAY]);
    const { approvedAt, activatesAt } = await approve(registry, appId, "after two updates");
    expect(activatesAt).to.equal(approvedAt + 30n * DAY);
  });

  it("merges two floors into the larger period until the later end", async () => {
    const { registry, maintainer, appId } = await loadFixture(soloAppFixture);
    const firstAt = await setNotice(registry, maintainer, appId, 10n);
    await time.increaseTo(firstAt + 25n * DAY);
    const secondAt = await setNotice(registry, maintainer, appId, 0n);
    expect(await registry.getNoticeFloor(appId)).to.deep.equal([30n * DAY, secondAt + 10n * DAY]);
  });

  it("drops an expired floor when the notice goes down again", async () => {
    const { registry, maintainer, appId } = await loadFixture(soloAppFixture);
    const firstAt = await setNotice(registry, maintainer, appId, 10n);
    await time.increaseTo(firstAt + 31n * DAY);
    const secondAt = await setNotice(registry, maintainer, appId, 0n);
    expect(await registry.getNoticeFloor(appId)).to.deep.equal([10n * DAY, secondAt + 10n * DAY]);
    const { approvedAt, activatesAt } = await approve(registry, appId, "second floor");
    expect(activatesAt).to.equal(approvedAt + 10n * DAY);
  });

  it("emits the stored floor with the update, for replay", async () => {
    const { registry, maintainer, appId } = await loadFixture(soloAppFixture);
    const next = BigInt(await time.latest()) + 10n;
    await time.setNextBlockTimestamp(next);
    await expect(registry.updateAppConfig(appId, [maintainer.address], 1, DAY, FAR_DEADLINE, []))
      .to.emit(registry, "AppConfigUpdated")
      .withArgs(appId, 2, [maintainer.address], 1, DAY, 30n * DAY, next + 30n * DAY);
  });

  it("refuses the floor views for an unknown app", async () => {
    const { registry } = await loadFixture(soloAppFixture);
    const unknown = label("no such app").slice(0, 42);
    await expect(registry.getNoticeFloor(unknown))
      .to.be.revertedWithCustomError(registry, "AppRegistryUnknownApp")
      .withArgs(unknown);
    await expect(registry.effectiveNoticePeriod(unknown))
      .to.be.revertedWithCustomError(registry, "AppRegistryUnknownApp")
      .withArgs(unknown);
  });
});

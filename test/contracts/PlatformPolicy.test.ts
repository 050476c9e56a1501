/// <reference types="mocha" />
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import {
  deployPlatformPolicyFixture,
  deployTimelockGovernedFixture,
  KMS_MEASUREMENT,
  TIMELOCK_DELAY,
  tcbStatusMask,
  testHash,
} from "./helpers/platformPolicy";
import { TCB_STATUS_BITS, PLATFORM_POLICY_DOMAIN_NAME, DOMAIN_VERSION } from "../../core/contracts/typedData";

const PLATFORM = testHash("platform MRTD|RTMR0|RTMR1|RTMR2");
const OTHER_PLATFORM = testHash("another platform");

describe("PlatformPolicy", function () {
  describe("deployment", function () {
    it("refuses a zero initial governance", async function () {
      const factory = await ethers.getContractFactory("PlatformPolicy");
      await expect(factory.deploy(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(factory, "PlatformPolicyInvalidGovernance")
        .withArgs(ethers.ZeroAddress);
    });

    it("starts with the initial governance and emits it, with the UpToDate-only TCB mask", async function () {
      const { policy, governance } = await loadFixture(deployPlatformPolicyFixture);
      expect(await policy.governance()).to.equal(governance.address);
      expect(await policy.pendingGovernance()).to.equal(ethers.ZeroAddress);
      expect(await policy.allowedTcbStatuses()).to.equal(tcbStatusMask("UpToDate"));
      const deployment = policy.deploymentTransaction();
      if (!deployment) throw new Error("no deployment transaction");
      await expect(deployment).to.emit(policy, "GovernanceTransferred").withArgs(ethers.ZeroAddress, governance.address);
      await expect(deployment).to.emit(policy, "AllowedTcbStatusesChanged").withArgs(1);
    });

    it("publishes its EIP-712 domain through ERC-5267", async function () {
      const { policy } = await loadFixture(deployPlatformPolicyFixture);
      const domain = await policy.eip712Domain();
      const { chainId } = await ethers.provider.getNetwork();
      expect(domain.name).to.equal(PLATFORM_POLICY_DOMAIN_NAME);
      expect(domain.version).to.equal(DOMAIN_VERSION);
      expect(domain.chainId).to.equal(chainId);
      expect(domain.verifyingContract).to.equal(await policy.getAddress());
    });
  });

  describe("governance hand-over", function () {
    it("takes two steps: the offer alone changes nothing, acceptance moves governance", async function () {
      const { policy, governance, nextGovernance } = await loadFixture(deployPlatformPolicyFixture);
      await expect(policy.connect(governance).transferGovernance(nextGovernance.address))
        .to.emit(policy, "GovernanceTransferStarted")
        .withArgs(governance.address, nextGovernance.address);
      expect(await policy.governance()).to.equal(governance.address);
      expect(await policy.pendingGovernance()).to.equal(nextGovernance.address);

      await expect(policy.connect(nextGovernance).acceptGovernance())
        .to.emit(policy, "GovernanceTransferred")
        .withArgs(governance.address, nextGovernance.address);
      expect(await policy.governance()).to.equal(nextGovernance.address);
      expect(await policy.pendingGovernance()).to.equal(ethers.ZeroAddress);
    });

    it("keeps full power with the current governance while the transfer is pending", async function () {
      const { policy, governance, nextGovernance } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).transferGovernance(nextGovernance.address);
      await expect(policy.connect(governance).setPlatformAllowed(PLATFORM, true)).to.emit(policy, "PlatformAllowanceChanged");
      await expect(policy.connect(nextGovernance).setPlatformAllowed(PLATFORM, false))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(nextGovernance.address);
    });

    it("refuses acceptance by anyone but the pending governance", async function () {
      const { policy, governance, stranger, nextGovernance } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).transferGovernance(nextGovernance.address);
      await expect(policy.connect(stranger).acceptGovernance())
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(stranger.address);
      await expect(policy.connect(governance).acceptGovernance())
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(governance.address);
    });

    it("refuses acceptance when no transfer is pending", async function () {
      const { policy, stranger } = await loadFixture(deployPlatformPolicyFixture);
      await expect(policy.connect(stranger).acceptGovernance())
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(stranger.address);
    });

    it("refuses a transfer started by anyone but the governance", async function () {
      const { policy, stranger } = await loadFixture(deployPlatformPolicyFixture);
      await expect(policy.connect(stranger).transferGovernance(stranger.address))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(stranger.address);
    });

    it("lets a new offer replace the old one and a zero offer cancel it", async function () {
      const { policy, governance, stranger, nextGovernance } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).transferGovernance(stranger.address);
      await policy.connect(governance).transferGovernance(nextGovernance.address);
      await expect(policy.connect(stranger).acceptGovernance())
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(stranger.address);
      await expect(policy.connect(governance).transferGovernance(ethers.ZeroAddress))
        .to.emit(policy, "GovernanceTransferStarted")
        .withArgs(governance.address, ethers.ZeroAddress);
      await expect(policy.connect(nextGovernance).acceptGovernance())
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(nextGovernance.address);
    });

    it("removes the old governance's power at once after acceptance", async function () {
      const { policy, governance, nextGovernance } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).transferGovernance(nextGovernance.address);
      await policy.connect(nextGovernance).acceptGovernance();
      await expect(policy.connect(governance).setPlatformAllowed(PLATFORM, true))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(governance.address);
      await expect(policy.connect(governance).transferGovernance(governance.address))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(governance.address);
      await expect(policy.connect(nextGovernance).setPlatformAllowed(PLATFORM, true))
        .to.emit(policy, "PlatformAllowanceChanged")
        .withArgs(PLATFORM, true);
    });
  });

  describe("setters refuse every caller but the governance", function () {
    const setters: Array<[string, (policy: Awaited<ReturnType<typeof deployPlatformPolicyFixture>>["policy"]) => Promise<unknown>]> = [
      ["setPlatformAllowed", (policy) => policy.setPlatformAllowed(PLATFORM, true)],
      ["setAllowedTcbStatuses", (policy) => policy.setAllowedTcbStatuses(tcbStatusMask("UpToDate", "SWHardeningNeeded"))],
      ["setKmsMeasurementAllowed", (policy) => policy.setKmsMeasurementAllowed(KMS_MEASUREMENT, true)],
      ["registerKmsIdentity", (policy) => policy.registerKmsIdentity(ethers.Wallet.createRandom().address, testHash("q"), KMS_MEASUREMENT)],
      ["removeKmsIdentity", (policy) => policy.removeKmsIdentity(ethers.Wallet.createRandom().address)],
    ];
    for (const [name, call] of setters) {
      it(`refuses ${name} from a stranger`, async function () {
        const { policy, stranger } = await loadFixture(deployPlatformPolicyFixture);
        await expect(call(policy.connect(stranger)))
          .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
          .withArgs(stranger.address);
      });
    }
  });

  describe("platforms and TCB statuses", function () {
    it("allows and disallows a platform hash, emitting the new value each time", async function () {
      const { policy, governance } = await loadFixture(deployPlatformPolicyFixture);
      expect(await policy.isPlatformHashAllowed(PLATFORM)).to.equal(false);
      await expect(policy.connect(governance).setPlatformAllowed(PLATFORM, true))
        .to.emit(policy, "PlatformAllowanceChanged")
        .withArgs(PLATFORM, true);
      expect(await policy.isPlatformHashAllowed(PLATFORM)).to.equal(true);
      expect(await policy.isPlatformHashAllowed(OTHER_PLATFORM)).to.equal(false);
      await expect(policy.connect(governance).setPlatformAllowed(PLATFORM, false))
        .to.emit(policy, "PlatformAllowanceChanged")
        .withArgs(PLATFORM, false);
      expect(await policy.isPlatformHashAllowed(PLATFORM)).to.equal(false);
    });

    it("sets the accepted TCB statuses to exactly the mask's bits", async function () {
      const { policy, governance } = await loadFixture(deployPlatformPolicyFixture);
      const mask = tcbStatusMask("SWHardeningNeeded", "OutOfDateConfigurationNeeded");
      await expect(policy.connect(governance).setAllowedTcbStatuses(mask))
        .to.emit(policy, "AllowedTcbStatusesChanged")
        .withArgs(mask);
      expect(await policy.allowedTcbStatuses()).to.equal(mask);
      for (const [status, bit] of Object.entries(TCB_STATUS_BITS)) {
        const expected = status === "SWHardeningNeeded" || status === "OutOfDateConfigurationNeeded";
        expect(await policy.isTcbStatusAllowed(bit), status).to.equal(expected);
      }
    });

    it("accepts the full mask of the six statuses and the empty mask", async function () {
      const { policy, governance } = await loadFixture(deployPlatformPolicyFixture);
      const all = tcbStatusMask(...(Object.keys(TCB_STATUS_BITS) as Array<keyof typeof TCB_STATUS_BITS>));
      expect(all).to.equal(0x3f);
      await policy.connect(governance).setAllowedTcbStatuses(all);
      expect(await policy.isTcbStatusAllowed(TCB_STATUS_BITS.OutOfDateConfigurationNeeded)).to.equal(true);
      await expect(policy.connect(governance).setAllowedTcbStatuses(0)).to.emit(policy, "AllowedTcbStatusesChanged").withArgs(0);
      expect(await policy.isTcbStatusAllowed(TCB_STATUS_BITS.UpToDate)).to.equal(false);
    });

    for (const mask of [1 << 6, 1 << 15, 0x7f, 0xffff]) {
      it(`refuses a TCB mask with a bit above 5 (0x${mask.toString(16)})`, async function () {
        const { policy, governance } = await loadFixture(deployPlatformPolicyFixture);
        await expect(policy.connect(governance).setAllowedTcbStatuses(mask))
          .to.be.revertedWithCustomError(policy, "PlatformPolicyInvalidTcbStatusMask")
          .withArgs(mask);
        expect(await policy.allowedTcbStatuses()).to.equal(1);
      });
    }

    it("never accepts a status index above 5 (Revoked has no bit)", async function () {
      const { policy, governance } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).setAllowedTcbStatuses(0x3f);
      await policy.connect(governance).setPlatformAllowed(PLATFORM, true);
      for (const status of [6, 7, 15, 16, 255]) {
        expect(await policy.isTcbStatusAllowed(status), `status ${status}`).to.equal(false);
        expect(await policy.isPlatformAllowed(PLATFORM, status), `status ${status}`).to.equal(false);
      }
    });

    it("allows a platform only when the hash is allowed AND its TCB status is accepted", async function () {
      const { policy, governance } = await loadFixture(deployPlatformPolicyFixture);
      const upToDate = TCB_STATUS_BITS.UpToDate;
      const outOfDate = TCB_STATUS_BITS.OutOfDate;
      // hash not allowed, status accepted
      expect(await policy.isPlatformAllowed(PLATFORM, upToDate)).to.equal(false);
      await policy.connect(governance).setPlatformAllowed(PLATFORM, true);
      // hash allowed, status accepted
      expect(await policy.isPlatformAllowed(PLATFORM, upToDate)).to.equal(true);
      // hash allowed, status not accepted
      expect(await policy.isPlatformAllowed(PLATFORM, outOfDate)).to.equal(false);
      // other hash, status accepted
      expect(await policy.isPlatformAllowed(OTHER_PLATFORM, upToDate)).to.equal(false);
      await policy.connect(governance).setAllowedTcbStatuses(tcbStatusMask("OutOfDate"));
      expect(await policy.isPlatformAllowed(PLATFORM, outOfDate)).to.equal(true);
      expect(await policy.isPlatformAllowed(PLATFORM, upToDate)).to.equal(false);
      await policy.connect(governance).setPlatformAllowed(PLATFORM, false);
      expect(await policy.isPlatformAllowed(PLATFORM, outOfDate)).to.equal(false);
    });
  });

  describe("KMS measurements and identities", function () {
    it("allows and disallows a KMS measurement, emitting the new value each time", async function () {
      const { policy, governance } = await loadFixture(deployPlatformPolicyFixture);
      await expect(policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true))
        .to.emit(policy, "KmsMeasurementAllowanceChanged")
        .withArgs(KMS_MEASUREMENT, true);
      expect(await policy.isKmsMeasurementAllowed(KMS_MEASUREMENT)).to.equal(true);
      await expect(policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, false))
        .to.emit(policy, "KmsMeasurementAllowanceChanged")
        .withArgs(KMS_MEASUREMENT, false);
      expect(await policy.isKmsMeasurementAllowed(KMS_MEASUREMENT)).to.equal(false);
    });

    it("registers a KMS identity with its quote hash and measurement", async function () {
      const { policy, governance, kmsA } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true);
      const quoteHash = testHash("quote A");
      expect(await policy.isKmsIdentity(kmsA.address)).to.equal(false);
      await expect(policy.connect(governance).registerKmsIdentity(kmsA.address, quoteHash, KMS_MEASUREMENT))
        .to.emit(policy, "KmsIdentityRegistered")
        .withArgs(kmsA.address, quoteHash, KMS_MEASUREMENT);
      expect(await policy.isKmsIdentity(kmsA.address)).to.equal(true);
      expect(await policy.getKmsIdentity(kmsA.address)).to.deep.equal([true, quoteHash, KMS_MEASUREMENT, 0n]);
    });

    it("refuses to register an identity with a measurement that is not allowed", async function () {
      const { policy, governance, kmsA } = await loadFixture(deployPlatformPolicyFixture);
      await expect(policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A"), KMS_MEASUREMENT))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyKmsMeasurementNotAllowed")
        .withArgs(KMS_MEASUREMENT);
    });

    it("refuses to register the zero address", async function () {
      const { policy, governance } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true);
      await expect(policy.connect(governance).registerKmsIdentity(ethers.ZeroAddress, testHash("q"), KMS_MEASUREMENT))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyInvalidKmsIdentity")
        .withArgs(ethers.ZeroAddress);
    });

    it("refuses to re-register an active identity", async function () {
      const { policy, governance, kmsA } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true);
      await policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A"), KMS_MEASUREMENT);
      await expect(policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A2"), KMS_MEASUREMENT))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyKmsIdentityAlreadyActive")
        .withArgs(kmsA.address);
      expect((await policy.getKmsIdentity(kmsA.address)).quoteHash).to.equal(testHash("quote A"));
    });

    it("removes an active identity and keeps its record as inactive", async function () {
      const { policy, governance, kmsA } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true);
      await policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A"), KMS_MEASUREMENT);
      await expect(policy.connect(governance).removeKmsIdentity(kmsA.address))
        .to.emit(policy, "KmsIdentityRemoved")
        .withArgs(kmsA.address);
      expect(await policy.isKmsIdentity(kmsA.address)).to.equal(false);
      expect(await policy.getKmsIdentity(kmsA.address)).to.deep.equal([false, testHash("quote A"), KMS_MEASUREMENT, 0n]);
    });

    it("refuses to remove an identity that is not active (never registered or already removed)", async function () {
      const { policy, governance, kmsA, kmsB } = await loadFixture(deployPlatformPolicyFixture);
      await expect(policy.connect(governance).removeKmsIdentity(kmsB.address))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyKmsIdentityNotActive")
        .withArgs(kmsB.address);
      await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true);
      await policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A"), KMS_MEASUREMENT);
      await policy.connect(governance).removeKmsIdentity(kmsA.address);
      await expect(policy.connect(governance).removeKmsIdentity(kmsA.address))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyKmsIdentityNotActive")
        .withArgs(kmsA.address);
    });

    it("registers a removed identity again, with its new quote hash and measurement", async function () {
      const { policy, governance, kmsA } = await loadFixture(deployPlatformPolicyFixture);
      const nextMeasurement = testHash("basekms test KMS build v2");
      await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true);
      await policy.connect(governance).setKmsMeasurementAllowed(nextMeasurement, true);
      await policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A"), KMS_MEASUREMENT);
      await policy.connect(governance).removeKmsIdentity(kmsA.address);
      await expect(policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A2"), nextMeasurement))
        .to.emit(policy, "KmsIdentityRegistered")
        .withArgs(kmsA.address, testHash("quote A2"), nextMeasurement);
      expect(await policy.getKmsIdentity(kmsA.address)).to.deep.equal([true, testHash("quote A2"), nextMeasurement, 0n]);
    });

    it("keeps an identity active when its measurement is disallowed later (removal is explicit)", async function () {
      const { policy, governance, kmsA } = await loadFixture(deployPlatformPolicyFixture);
      await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true);
      await policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A"), KMS_MEASUREMENT);
      await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, false);
      expect(await policy.isKmsIdentity(kmsA.address)).to.equal(true);
    });
  });

  describe("governance by an OpenZeppelin TimelockController", function () {
    it("accepts governance through schedule + execute after the delay", async function () {
      const { policy, timelock, governance } = await loadFixture(deployTimelockGovernedFixture);
      expect(await policy.governance()).to.equal(await timelock.getAddress());
      expect(await policy.pendingGovernance()).to.equal(ethers.ZeroAddress);
      await expect(policy.connect(governance).setPlatformAllowed(PLATFORM, true))
        .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
        .withArgs(governance.address);
    });

    it("changes policy only through schedule + execute, and not before the delay", async function () {
      const { policy, timelock, proposer, executor } = await loadFixture(deployTimelockGovernedFixture);
      const call = policy.interface.encodeFunctionData("setPlatformAllowed", [PLATFORM, true]);
      const salt = ethers.id("allow platform");
      const operationId = await timelock.hashOperation(policy, 0, call, ethers.ZeroHash, salt);
      await timelock.connect(proposer).schedule(policy, 0, call, ethers.ZeroHash, salt, TIMELOCK_DELAY);

      await expect(timelock.connect(executor).execute(policy, 0, call, ethers.ZeroHash, salt))
        .to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState")
        .withArgs(operationId, anyValue);
      expect(await policy.isPlatformHashAllowed(PLATFORM)).to.equal(false);

      await time.increase(TIMELOCK_DELAY);
      await expect(timelock.connect(executor).execute(policy, 0, call, ethers.ZeroHash, salt))
        .to.emit(policy, "PlatformAllowanceChanged")
        .withArgs(PLATFORM, true);
      expect(await policy.isPlatformHashAllowed(PLATFORM)).to.equal(true);
    });

    it("refuses direct policy calls from the timelock's proposer and executor", async function () {
      const { policy, proposer, executor } = await loadFixture(deployTimelockGovernedFixture);
      for (const account of [proposer, executor]) {
        await expect(policy.connect(account).setAllowedTcbStatuses(0x3f))
          .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
          .withArgs(account.address);
        await expect(policy.connect(account).setKmsMeasurementAllowed(KMS_MEASUREMENT, true))
          .to.be.revertedWithCustomError(policy, "PlatformPolicyUnauthorized")
          .withArgs(account.address);
      }
    });

    it("registers a KMS identity through a scheduled batch", async function () {
      const { policy, timelock, proposer, executor, kmsA } = await loadFixture(deployTimelockGovernedFixture);
      const target = await policy.getAddress();
      const calls = [
        policy.interface.encodeFunctionData("setKmsMeasurementAllowed", [KMS_MEASUREMENT, true]),
        policy.interface.encodeFunctionData("registerKmsIdentity", [kmsA.address, testHash("quote A"), KMS_MEASUREMENT]),
      ];
      const targets = [target, target];
      const values = [0, 0];
      const salt = ethers.id("onboard KMS A");
      await timelock.connect(proposer).scheduleBatch(targets, values, calls, ethers.ZeroHash, salt, TIMELOCK_DELAY);
      await time.increase(TIMELOCK_DELAY);
      await expect(timelock.connect(executor).executeBatch(targets, values, calls, ethers.ZeroHash, salt))
        .to.emit(policy, "KmsIdentityRegistered")
        .withArgs(kmsA.address, testHash("quote A"), KMS_MEASUREMENT);
      expect(await policy.isKmsIdentity(kmsA.address)).to.equal(true);
    });
  });
});

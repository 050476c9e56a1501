/**
 * Shared fixtures and signing helpers for the PlatformPolicy and LogAnchor tests. Checkpoints are
 * signed with the same EIP-712 definitions the KMS uses (`core/contracts/typedData.ts`).
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";
import {
  checkpointTypes,
  platformPolicyDomain,
  TCB_STATUS_BITS,
} from "../../../core/contracts/typedData";
import type { PlatformPolicy } from "../../../typechain-types";

export type TcbStatusName = keyof typeof TCB_STATUS_BITS;

/** The ethers form of `checkpointTypes` (ethers wants mutable arrays). */
export const CHECKPOINT_TYPES: Record<string, TypedDataField[]> = {
  Checkpoint: checkpointTypes.Checkpoint.map((field) => ({ ...field })),
};

/** A KMS measurement that every fixture allows. */
export const KMS_MEASUREMENT = ethers.sha256(ethers.toUtf8Bytes("basekms test KMS build v1"));

/** The bit mask that accepts exactly `statuses`. */
export function tcbStatusMask(...statuses: TcbStatusName[]): number {
  return statuses.reduce((mask, status) => mask | (1 << TCB_STATUS_BITS[status]), 0);
}

/** A distinct, deterministic 32-byte value for a test label (a platform hash, a root, a quote hash). */
export function testHash(label: string): string {
  return ethers.sha256(ethers.toUtf8Bytes(label));
}

/** The policy's EIP-712 domain, built from `core/contracts/typedData.ts`. */
export async function checkpointDomain(policy: PlatformPolicy): Promise<TypedDataDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return platformPolicyDomain(chainId, (await policy.getAddress()) as `0x${string}`);
}

/** Signs `Checkpoint(treeSize, rootHash)` with `kms` under `domain`. */
export async function signCheckpoint(
  kms: Signer,
  domain: TypedDataDomain,
  treeSize: bigint,
  rootHash: string,
): Promise<string> {
  return kms.signTypedData(domain, CHECKPOINT_TYPES, { treeSize, rootHash });
}

/** A fresh PlatformPolicy governed by the first signer. */
export async function deployPlatformPolicyFixture() {
  const [governance, stranger, kmsA, kmsB, submitter, nextGovernance] = await ethers.getSigners();
  if (!governance || !stranger || !kmsA || !kmsB || !submitter || !nextGovernance) {
    throw new Error("the Hardhat network must provide at least six accounts");
  }
  const policy = await ethers.deployContract("PlatformPolicy", [governance.address]);
  await policy.waitForDeployment();
  return { policy, governance, stranger, kmsA, kmsB, submitter, nextGovernance };
}

/** A PlatformPolicy where KMS_MEASUREMENT is allowed and kmsA, kmsB are active identities. */
export async function deployWithKmsIdentitiesFixture() {
  const base = await deployPlatformPolicyFixture();
  const { policy, governance, kmsA, kmsB } = base;
  await policy.connect(governance).setKmsMeasurementAllowed(KMS_MEASUREMENT, true);
  await policy.connect(governance).registerKmsIdentity(kmsA.address, testHash("quote A"), KMS_MEASUREMENT);
  await policy.connect(governance).registerKmsIdentity(kmsB.address, testHash("quote B"), KMS_MEASUREMENT);
  const domain = await checkpointDomain(policy);
  return { ...base, domain };
}

/** Seconds a TimelockController governance waits between `schedule` and `execute` in the tests. */
export const TIMELOCK_DELAY = 2n * 24n * 60n * 60n;

/**
 * A PlatformPolicy whose governance has been handed to an OpenZeppelin TimelockController (no
 * admin; `proposer` schedules, `executor` executes). The hand-over itself went through the
 * timelock: `acceptGovernance` was scheduled and executed after the delay.
 */
export async function deployTimelockGovernedFixture() {
  const base = await deployPlatformPolicyFixture();
  const { policy, governance, stranger: proposer, submitter: executor } = base;
  const timelock = await ethers.deployContract("TimelockController", [
    TIMELOCK_DELAY,
    [proposer.address],
    [executor.address],
    ethers.ZeroAddress,
  ]);
  await timelock.waitForDeployment();
  await policy.connect(governance).transferGovernance(await timelock.getAddress());
  const accept = policy.interface.encodeFunctionData("acceptGovernance");
  const salt = ethers.id("accept governance");
  await timelock.connect(proposer).schedule(policy, 0, accept, ethers.ZeroHash, salt, TIMELOCK_DELAY);
  await time.increase(TIMELOCK_DELAY);
  await timelock.connect(executor).execute(policy, 0, accept, ethers.ZeroHash, salt);
  return { ...base, timelock, proposer, executor };
}

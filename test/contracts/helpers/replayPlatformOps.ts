/**
 * The PlatformPolicy half of the replay scenario: governance hand-overs, platform, TCB and
 * measurement changes, KMS identities and checkpoints (conflicting ones included). Each operation
 * returns false when the current state gives it nothing valid to do.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { signCheckpoint } from "./platformPolicy";
import type { ScenarioWorld } from "./replayScenario";

const lower = (address: string) => address.toLowerCase();

async function governanceSigner(world: ScenarioWorld): Promise<HardhatEthersSigner> {
  const governance = await world.policy.governance();
  const signer = world.governanceCandidates.find((candidate) => candidate.address === governance);
  if (!signer) throw new Error(`governance ${governance} is not one of the scenario's accounts`);
  return signer;
}

export async function offerGovernance(world: ScenarioWorld): Promise<boolean> {
  const pending = world.random.chance(0.2) ? ethers.ZeroAddress : world.random.pick(world.governanceCandidates).address;
  await (await world.policy.connect(await governanceSigner(world)).transferGovernance(pending)).wait();
  return true;
}

export async function acceptGovernance(world: ScenarioWorld): Promise<boolean> {
  const pending = await world.policy.pendingGovernance();
  const signer = world.governanceCandidates.find((candidate) => candidate.address === pending);
  if (!signer) return false;
  await (await world.policy.connect(signer).acceptGovernance()).wait();
  return true;
}

export async function changePlatformAllowance(world: ScenarioWorld): Promise<boolean> {
  const governance = world.policy.connect(await governanceSigner(world));
  await (await governance.setPlatformAllowed(world.random.pick(world.platformHashes), world.random.chance(0.7))).wait();
  return true;
}

export async function changeTcbStatuses(world: ScenarioWorld): Promise<boolean> {
  const governance = world.policy.connect(await governanceSigner(world));
  await (await governance.setAllowedTcbStatuses(world.random.int(64))).wait();
  return true;
}

export async function changeKmsMeasurement(world: ScenarioWorld): Promise<boolean> {
  const governance = world.policy.connect(await governanceSigner(world));
  await (await governance.setKmsMeasurementAllowed(world.random.pick(world.measurements), world.random.chance(0.7))).wait();
  return true;
}

async function activeKmsKeys(world: ScenarioWorld) {
  const active = [];
  for (const key of world.kmsKeys) if (await world.policy.isKmsIdentity(key.address)) active.push(key);
  return active;
}

export async function registerKmsIdentity(world: ScenarioWorld): Promise<boolean> {
  const inactive = [];
  for (const key of world.kmsKeys) if (!(await world.policy.isKmsIdentity(key.address))) inactive.push(key);
  const allowed = [];
  for (const measurement of world.measurements) if (await world.policy.isKmsMeasurementAllowed(measurement)) allowed.push(measurement);
  if (inactive.length === 0 || allowed.length === 0) return false;
  const governance = world.policy.connect(await governanceSigner(world));
  const kms = world.random.pick(inactive);
  await (await governance.registerKmsIdentity(kms.address, world.random.bytes32(), world.random.pick(allowed))).wait();
  return true;
}

export async function removeKmsIdentity(world: ScenarioWorld): Promise<boolean> {
  const active = await activeKmsKeys(world);
  if (active.length === 0) return false;
  const governance = world.policy.connect(await governanceSigner(world));
  await (await governance.removeKmsIdentity(world.random.pick(active).address)).wait();
  return true;
}

export async function anchorCheckpoint(world: ScenarioWorld): Promise<boolean> {
  const active = await activeKmsKeys(world);
  if (active.length === 0) return false;
  const kms = world.random.pick(active);
  const [, , , latestTreeSize] = await world.policy.getKmsIdentity(kms.address);
  const treeSize = latestTreeSize + 1n + BigInt(world.random.int(1000));
  const rootHash = world.random.bytes32();
  const signature = await signCheckpoint(kms, world.policyDomain, treeSize, rootHash);
  await (await world.policy.connect(world.random.pick(world.senders)).checkpoint(treeSize, rootHash, signature)).wait();
  const roots = world.journal.checkpoints.get(lower(kms.address)) ?? new Map<bigint, string>();
  roots.set(treeSize, rootHash);
  world.journal.checkpoints.set(lower(kms.address), roots);
  return true;
}

/** A KMS signs a second root for a size it already anchored: the contract keeps the evidence. */
export async function anchorConflictingCheckpoint(world: ScenarioWorld): Promise<boolean> {
  const candidates = [];
  for (const kms of await activeKmsKeys(world)) {
    for (const [treeSize, recordedRoot] of world.journal.checkpoints.get(lower(kms.address)) ?? []) {
      candidates.push({ kms, treeSize, recordedRoot });
    }
  }
  if (candidates.length === 0) return false;
  const { kms, treeSize, recordedRoot } = world.random.pick(candidates);
  const conflictingRoot = world.random.bytes32();
  const signature = await signCheckpoint(kms, world.policyDomain, treeSize, conflictingRoot);
  await (await world.policy.connect(world.random.pick(world.senders)).checkpoint(treeSize, conflictingRoot, signature)).wait();
  world.journal.conflicts.push({ kms: lower(kms.address), treeSize, recordedRoot, conflictingRoot, signature: lower(signature) });
  return true;
}

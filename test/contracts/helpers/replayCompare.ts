/**
 * Compares a state rebuilt from events with the contracts: every view, at the latest block and (for
 * releases) at sampled past blocks, and the scenario's journal for what no view returns. Each
 * event field feeds at least one comparison here, so an event that lost a field fails the test.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Hex } from "../../../core/policy/events";
import type { PolicyState } from "../../../core/policy/state";
import {
  effectiveNoticePeriod,
  isCurrentSigner,
  isPlatformAllowed,
  isReleaseAllowedAt,
} from "../../../core/policy/queries";
import { journalKey } from "./replayJournal";
import type { ScenarioWorld } from "./replayScenario";

const lower = (hex: string) => hex.toLowerCase() as Hex;

/** AppRegistered, AppConfigUpdated, AppFrozen: configurations, floors, membership, creators. */
export async function expectAppsMatch(world: ScenarioWorld, state: PolicyState, latestTimestamp: bigint): Promise<void> {
  const { registry, journal } = world;
  expect(await registry.appCount(), "appCount").to.equal(BigInt(state.apps.size));
  expect([...state.apps.keys()], "app ids in registration order").to.deep.equal([...journal.apps.keys()]);
  const accounts = [...world.senders.map((sender) => sender.address), ...world.signerPool.map((approver) => approver.address)];
  for (const [appId, app] of state.apps) {
    const where = `app ${appId}`;
    const view = await registry.getApp(appId);
    expect([view.signers.map(lower), Number(view.threshold), view.noticePeriod, view.configVersion, view.frozen], where).to.deep.equal([
      app.config.signers,
      app.config.threshold,
      app.config.noticePeriod,
      app.config.configVersion,
      app.frozen,
    ]);
    expect(await registry.getNoticeFloor(appId), `${where} notice floor`).to.deep.equal([
      app.config.previousNoticePeriod,
      app.config.previousNoticeUntil,
    ]);
    expect(await registry.effectiveNoticePeriod(appId), `${where} effective notice`).to.equal(
      effectiveNoticePeriod(app, latestTimestamp),
    );
    for (const account of accounts) {
      expect(await registry.isSigner(appId, account), `${where} isSigner ${account}`).to.equal(
        isCurrentSigner(state, appId, account),
      );
    }
    const journaled = journal.apps.get(appId)!;
    expect(app.creator, `${where} creator`).to.equal(journaled.creator);
    expect(
      app.configHistory.map(({ signers, threshold, noticePeriod }) => ({ signers, threshold, noticePeriod })),
      `${where} configuration history`,
    ).to.deep.equal(journaled.configs);
    expect(app.configHistory.map((config) => config.configVersion), `${where} versions`).to.deep.equal(
      journaled.configs.map((_, index) => BigInt(index + 1)),
    );
  }
}

/** ReleaseApproved, ReleaseRevoked: records, decisions now, and the approval history. */
export async function expectReleasesMatch(world: ScenarioWorld, state: PolicyState, latestTimestamp: bigint): Promise<void> {
  const { registry, journal } = world;
  for (const [appId, app] of state.apps) {
    for (const composeHash of world.composeHashes.map(lower)) {
      const where = `release ${composeHash} of ${appId}`;
      const release = app.releases.get(composeHash);
      expect(await registry.getRelease(appId, composeHash), where).to.deep.equal(
        release ? [release.activatesAt, release.revokedAt, BigInt(release.nonce)] : [0n, 0n, 0n],
      );
      expect(await registry.isReleaseAllowed(appId, composeHash), `${where} allowed now`).to.equal(
        isReleaseAllowedAt(state, appId, composeHash, latestTimestamp),
      );
      const history = (release?.approvals ?? []).map((approval) => ({
        metadataDigest: approval.metadataDigest,
        approvers: approval.signers,
        revoker: approval.revocation?.revoker ?? null,
      }));
      expect(history, `${where} history`).to.deep.equal(
        (journal.approvals.get(journalKey(appId, composeHash)) ?? []).map((entry) => ({
          ...entry,
          metadataDigest: lower(entry.metadataDigest),
        })),
      );
    }
  }
}

/** isReleaseAllowed at past blocks equals the history's answer at their timestamps. */
export async function expectPastDecisionsMatch(world: ScenarioWorld, state: PolicyState, blocks: number[]): Promise<void> {
  const pairs = [...world.journal.approvals.keys()].map((key) => key.split("/") as [string, string]);
  for (const blockNumber of blocks) {
    const block = await ethers.provider.getBlock(blockNumber);
    if (!block) throw new Error(`no block ${blockNumber}`);
    for (const [appId, composeHash] of pairs) {
      const onChain = await world.registry.isReleaseAllowed(appId, composeHash, { blockTag: blockNumber });
      expect(onChain, `isReleaseAllowed(${appId}, ${composeHash}) at block ${blockNumber}`).to.equal(
        isReleaseAllowedAt(state, appId, composeHash, BigInt(block.timestamp)),
      );
    }
  }
}

/** Every PlatformPolicy event: governance, platforms, TCB mask, measurements, identities, checkpoints. */
export async function expectPlatformMatches(world: ScenarioWorld, state: PolicyState): Promise<void> {
  const { policy, journal } = world;
  const platform = state.platform;
  expect(lower(await policy.governance()), "governance").to.equal(platform.governance);
  expect(lower(await policy.pendingGovernance()), "pending governance").to.equal(platform.pendingGovernance);
  expect(Number(await policy.allowedTcbStatuses()), "TCB mask").to.equal(platform.allowedTcbStatuses);
  for (const platformHash of world.platformHashes) {
    expect(await policy.isPlatformHashAllowed(platformHash), `platform ${platformHash}`).to.equal(
      platform.allowedPlatforms.has(lower(platformHash)),
    );
    for (let tcbStatus = 0; tcbStatus < 8; tcbStatus += 1) {
      expect(await policy.isPlatformAllowed(platformHash, tcbStatus), `platform ${platformHash}, status ${tcbStatus}`).to.equal(
        isPlatformAllowed(state, platformHash, tcbStatus),
      );
    }
  }
  for (const measurement of world.measurements) {
    expect(await policy.isKmsMeasurementAllowed(measurement), `measurement ${measurement}`).to.equal(
      platform.allowedKmsMeasurements.has(lower(measurement)),
    );
  }
  for (const key of world.kmsKeys) {
    const kms = lower(key.address);
    const identity = platform.kmsIdentities.get(kms);
    const log = platform.checkpoints.get(kms);
    const latestTreeSize = log?.latestTreeSize ?? 0n;
    const [active, quoteHash, measurement, viewSize] = await policy.getKmsIdentity(kms);
    expect([active, lower(quoteHash), lower(measurement), viewSize], `identity ${kms}`).to.deep.equal([
      identity?.active ?? false,
      identity?.quoteHash ?? ethers.ZeroHash,
      identity?.measurement ?? ethers.ZeroHash,
      latestTreeSize,
    ]);
    const [latestSize, latestRoot] = await policy.latestCheckpoint(kms);
    expect([latestSize, lower(latestRoot)], `latest checkpoint of ${kms}`).to.deep.equal([
      latestTreeSize,
      log?.roots.get(latestTreeSize) ?? ethers.ZeroHash,
    ]);
    const sizes = new Set([...(journal.checkpoints.get(kms)?.keys() ?? []), latestTreeSize + 1n]);
    for (const treeSize of sizes) {
      expect(lower(await policy.checkpointRoot(kms, treeSize)), `root of ${kms} at ${treeSize}`).to.equal(
        log?.roots.get(treeSize) ?? ethers.ZeroHash,
      );
    }
    expect(log?.roots.size ?? 0, `number of roots of ${kms}`).to.equal(journal.checkpoints.get(kms)?.size ?? 0);
  }
  const conflicts = platform.conflicts.map(({ kms, treeSize, recordedRoot, conflictingRoot, signature }) => ({
    kms,
    treeSize,
    recordedRoot,
    conflictingRoot,
    signature,
  }));
  expect(conflicts, "checkpoint conflicts").to.deep.equal(
    journal.conflicts.map((conflict) => ({ ...conflict, recordedRoot: lower(conflict.recordedRoot), conflictingRoot: lower(conflict.conflictingRoot) })),
  );
}

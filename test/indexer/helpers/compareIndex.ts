/**
 * Compares what the indexer stored with the state rebuilt from the chain's events by the core
 * reducer: every app's configuration history, every approval and revocation, and the policy
 * query at every block of the history.
 */
import { expect } from "vitest";
import { isReleaseAllowedAt, type PolicyState } from "../../../core/policy";
import type { IndexerDb } from "../../../indexer/db/openIndexerDb";
import { createAppQueries } from "../../../indexer/db/appQueries";
import { createChainQueries } from "../../../indexer/db/chainQueries";
import type { TestChain } from "../../audit/helpers/testChain";

export async function expectIndexMatchesState(db: IndexerDb, state: PolicyState, chain: TestChain, fromBlock: number, toBlock: number): Promise<void> {
  const apps = createAppQueries(db);
  expect(apps.listApps().map((app) => app.appId)).toEqual([...state.apps.keys()]);
  for (const [appId, app] of state.apps) {
    const indexed = apps.app(appId)!;
    expect(indexed.creator).toBe(app.creator);
    expect(indexed.frozen?.blockNumber ?? null).toBe(app.frozenAt ? Number(app.frozenAt.blockNumber) : null);
    expect(indexed.configs.map((config) => [config.configVersion, config.signers, config.threshold, config.noticePeriod, config.previousNoticePeriod, config.previousNoticeUntil])).toEqual(
      app.configHistory.map((config) => [
        Number(config.configVersion),
        config.signers,
        config.threshold,
        Number(config.noticePeriod),
        Number(config.previousNoticePeriod),
        Number(config.previousNoticeUntil),
      ]),
    );
    expect(indexed.releases.map((release) => release.composeHash)).toEqual([...app.releases.keys()]);
    for (const release of indexed.releases) {
      const replayed = app.releases.get(release.composeHash)!;
      expect(
        release.approvals.map((approval) => [approval.nonce, approval.activatesAt, approval.approved.blockNumber, approval.approvers, approval.revocation?.revokedAt ?? null, approval.revocation?.revoker ?? null]),
      ).toEqual(
        replayed.approvals.map((approval) => [
          approval.nonce,
          Number(approval.activatesAt),
          Number(approval.blockNumber),
          approval.signers,
          approval.revocation ? Number(approval.revocation.revokedAt) : null,
          approval.revocation?.revoker ?? null,
        ]),
      );
    }
  }
  const chainQueries = createChainQueries(db);
  for (let block = fromBlock; block <= toBlock; block += 1) {
    const header = await chain.client.getBlock({ blockNumber: BigInt(block) });
    for (const [appId, app] of state.apps) {
      const expected = [...app.releases.keys()].filter((hash) => isReleaseAllowedAt(state, appId, hash, header.timestamp)).sort();
      expect(apps.allowedComposeHashes(appId, { block, time: Number(header.timestamp) }), `policy of ${appId} at block ${block}`).toEqual(expected);
      expect(apps.allowedComposeHashes(appId, { block: null, time: Number(header.timestamp) }), `policy of ${appId} at time ${header.timestamp}`).toEqual(expected);
    }
  }
  expect(chainQueries.syncState().syncedBlock).toBe(toBlock);
}

/** Every chain-derived row, for comparing two databases that synced the same chain. */
export function dumpChainTables(db: IndexerDb): Record<string, unknown[]> {
  const tables = ["events", "apps", "app_configs", "app_freezes", "release_approvals", "release_revocations", "platform_changes", "kms_identity_changes", "log_checkpoints", "checkpoint_conflicts"];
  const dump: Record<string, unknown[]> = {};
  for (const table of tables) dump[table] = db.prepare(`SELECT * FROM ${table} ORDER BY checkpoint`).all();
  dump.sync_state = db.prepare("SELECT synced_block, synced_hash FROM sync_state").all();
  return dump;
}

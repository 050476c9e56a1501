import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditReplay, connectChain, fetchPolicyHistory, replayPolicyHistory } from "../../core/audit";
import { createChainQueries } from "../../indexer/db/chainQueries";
import { openIndexerDb, type IndexerDb } from "../../indexer/db/openIndexerDb";
import { createIndexWriter } from "../../indexer/db/writer";
import { createSyncer, type SyncEvent, type Syncer } from "../../indexer/sync/syncer";
import { createRandomScenario } from "../audit/helpers/randomScenario";
import { devAccount, label, mineBlocks, registerApp, approveRelease, setPlatformAllowed, startTestChain, type TestChain } from "../audit/helpers/testChain";
import { dumpChainTables, expectIndexMatchesState } from "./helpers/compareIndex";

/**
 * Reorgs on a real Hardhat node: `evm_snapshot`, events the indexer syncs, `evm_revert`, then other
 * blocks. The indexer must notice, roll back to the common ancestor and converge on the new chain:
 * its tables equal a clean sync of the new chain and the state replayed from its events.
 */
describe("indexer reorgs", () => {
  let chain: TestChain;

  const snapshot = async () => (await chain.client.request({ method: "evm_snapshot" as never, params: [] as never })) as string;
  const revert = async (id: string) => expect(await chain.client.request({ method: "evm_revert" as never, params: [id] as never })).toBe(true);

  async function openSyncer(name: string, events: SyncEvent[] = []): Promise<{ db: IndexerDb; syncer: Syncer }> {
    const db = openIndexerDb(path.join(chain.dir, `${name}.sqlite`), chain.deployment);
    const client = await connectChain(chain.url, chain.deployment);
    const syncer = createSyncer({
      client,
      writer: createIndexWriter(db),
      deployment: chain.deployment,
      confirmations: 0,
      rangePolicy: { initial: 4, min: 1, max: 16, targetLogs: 50 },
      onEvent: (event) => events.push(event),
    });
    return { db, syncer };
  }

  async function expectConverged(db: IndexerDb, name: string): Promise<void> {
    const head = Number(await chain.client.getBlockNumber());
    const client = await connectChain(chain.url, chain.deployment);
    const events = await fetchPolicyHistory(client, { deployment: chain.deployment, toBlock: head });
    expect(createChainQueries(db).policyEvents(chain.deployment)).toEqual(events);
    const state = replayPolicyHistory(events);
    await expectIndexMatchesState(db, state, chain, head - 25, head);
    expect((await auditReplay(client, { deployment: chain.deployment })).differences).toEqual([]);
    const clean = await openSyncer(`${name}-clean`);
    await clean.syncer.syncTo(head);
    expect(dumpChainTables(db)).toEqual(dumpChainTables(clean.db));
    clean.db.close();
  }

  beforeAll(async () => {
    chain = await startTestChain();
    await createRandomScenario(chain, 31).run(30);
  }, 240_000);
  afterAll(async () => chain?.stop());

  it("rolls back to the common ancestor and converges when the new chain is longer", async () => {
    const seen: SyncEvent[] = [];
    const { db, syncer } = await openSyncer("longer", seen);
    await syncer.syncTo(Number(await chain.client.getBlockNumber()));
    const id = await snapshot();
    const ancestor = Number(await chain.client.getBlockNumber());
    const app = await registerApp(chain, [devAccount(1)], 1, 0);
    await approveRelease(chain, app, label("orphaned"), [devAccount(1)]);
    await setPlatformAllowed(chain, label("orphaned-platform"), true);
    const orphanedHead = Number(await chain.client.getBlockNumber());
    await syncer.syncTo(orphanedHead);
    expect(createChainQueries(db).syncState().syncedBlock).toBe(orphanedHead);

    await revert(id);
    await mineBlocks(chain, 2);
    const other = await registerApp(chain, [devAccount(2), devAccount(3)], 2, 60);
    await approveRelease(chain, other, label("canonical"), [devAccount(2), devAccount(3)]);
    await setPlatformAllowed(chain, label("canonical-platform"), true);
    await mineBlocks(chain, 3);
    await syncer.syncTo(Number(await chain.client.getBlockNumber()));

    const reorgs = seen.filter((event) => event.type === "reorg");
    expect(reorgs).toHaveLength(1);
    expect(reorgs[0]).toMatchObject({ type: "reorg", previousSyncedBlock: orphanedHead });
    if (reorgs[0]?.type === "reorg") expect(reorgs[0].ancestor).toBeLessThanOrEqual(ancestor);
    await expectConverged(db, "longer");
    db.close();
  });

  it("converges when the new chain is shorter than the synced block", async () => {
    const seen: SyncEvent[] = [];
    const { db, syncer } = await openSyncer("shorter", seen);
    await syncer.syncTo(Number(await chain.client.getBlockNumber()));
    const id = await snapshot();
    const app = await registerApp(chain, [devAccount(4)], 1, 0);
    await approveRelease(chain, app, label("gone"), [devAccount(4)]);
    await mineBlocks(chain, 6);
    await syncer.syncTo(Number(await chain.client.getBlockNumber()));

    await revert(id);
    await setPlatformAllowed(chain, label("after-short-reorg"), false);
    await syncer.syncTo(Number(await chain.client.getBlockNumber()));
    expect(seen.some((event) => event.type === "reorg")).toBe(true);
    await expectConverged(db, "shorter");
    db.close();
  });

  it("catches a reorg that keeps the same height (only hashes change)", async () => {
    const seen: SyncEvent[] = [];
    const { db, syncer } = await openSyncer("same-height", seen);
    const id = await snapshot();
    await setPlatformAllowed(chain, label("first-version"), true);
    const head = Number(await chain.client.getBlockNumber());
    await syncer.syncTo(head);
    await revert(id);
    await setPlatformAllowed(chain, label("second-version"), true);
    expect(Number(await chain.client.getBlockNumber())).toBe(head);
    await syncer.syncTo(head);
    await syncer.tick();
    expect(seen.filter((event) => event.type === "reorg")).toHaveLength(1);
    await expectConverged(db, "same-height");
    db.close();
  });
});

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditReplay, connectChain, fetchPolicyHistory, replayPolicyHistory } from "../../core/audit";
import { replayPolicyEvents } from "../../core/policy";
import { createChainQueries } from "../../indexer/db/chainQueries";
import { openIndexerDb } from "../../indexer/db/openIndexerDb";
import { createIndexWriter } from "../../indexer/db/writer";
import { createSyncer, type SyncEvent } from "../../indexer/sync/syncer";
import { createRandomScenario } from "../audit/helpers/randomScenario";
import { startTestChain, type TestChain } from "../audit/helpers/testChain";
import { dumpChainTables, expectIndexMatchesState } from "./helpers/compareIndex";

/**
 * The sync against a real Hardhat node: after a random history of every operation, the indexer's
 * tables equal the state the core reducer rebuilds from the chain's events, which equals the
 * contracts' views; the policy query agrees at every block; and the raw events it stored replay
 * to the same state.
 */
describe("indexer sync", () => {
  let chain: TestChain;

  beforeAll(async () => {
    chain = await startTestChain();
    await createRandomScenario(chain, 21).run(60);
  }, 240_000);
  afterAll(async () => chain?.stop());

  it("stores a history equal to the replayed state and to the views, in small adaptive batches", async () => {
    const db = openIndexerDb(path.join(chain.dir, "sync.sqlite"), chain.deployment);
    const client = await connectChain(chain.url, chain.deployment);
    const batches: SyncEvent[] = [];
    const syncer = createSyncer({
      client,
      writer: createIndexWriter(db),
      deployment: chain.deployment,
      confirmations: 0,
      rangePolicy: { initial: 2, min: 1, max: 8, targetLogs: 4 },
      onEvent: (event) => batches.push(event),
    });
    const head = Number(await chain.client.getBlockNumber());
    await syncer.syncTo(head);
    expect(batches.filter((event) => event.type === "batch").length).toBeGreaterThan(10);

    const chainEvents = await fetchPolicyHistory(client, { deployment: chain.deployment, toBlock: head });
    const stored = createChainQueries(db).policyEvents(chain.deployment);
    expect(stored).toEqual(chainEvents);
    const state = replayPolicyHistory(chainEvents);
    expect(replayPolicyEvents(stored)).toEqual(state);
    expect((await auditReplay(client, { deployment: chain.deployment, toBlock: head })).differences).toEqual([]);
    await expectIndexMatchesState(db, state, chain, chain.deployment.contracts.AppRegistry.blockNumber, head);
    db.close();
  });

  it("gives the same tables whatever the batch sizes, and resumes from its last committed block", async () => {
    const head = Number(await chain.client.getBlockNumber());
    const client = await connectChain(chain.url, chain.deployment);
    const wide = openIndexerDb(path.join(chain.dir, "wide.sqlite"), chain.deployment);
    await createSyncer({ client, writer: createIndexWriter(wide), deployment: chain.deployment, confirmations: 0 }).syncTo(head);

    const file = path.join(chain.dir, "resumed.sqlite");
    let db = openIndexerDb(file, chain.deployment);
    const halfway = Math.floor(head / 2);
    await createSyncer({ client, writer: createIndexWriter(db), deployment: chain.deployment, confirmations: 0, rangePolicy: { initial: 3, min: 1, max: 3, targetLogs: 100 } }).syncTo(halfway);
    expect(createChainQueries(db).syncState().syncedBlock).toBeGreaterThanOrEqual(halfway);
    db.close();
    db = openIndexerDb(file, chain.deployment);
    await createSyncer({ client, writer: createIndexWriter(db), deployment: chain.deployment, confirmations: 0 }).syncTo(head);
    expect(dumpChainTables(db)).toEqual(dumpChainTables(wide));
    db.close();
    wide.close();
  });

  it("stops at latest − confirmations", async () => {
    const head = Number(await chain.client.getBlockNumber());
    const db = openIndexerDb(path.join(chain.dir, "confirmations.sqlite"), chain.deployment);
    const client = await connectChain(chain.url, chain.deployment);
    const syncer = createSyncer({ client, writer: createIndexWriter(db), deployment: chain.deployment, confirmations: 5 });
    await syncer.syncTo(head - 5);
    const idle = await syncer.tick();
    expect(idle).toEqual({ type: "idle", syncedBlock: head - 5, latest: head });
    db.close();
  });

  it("refuses a database built for another deployment with INDEXER_DEPLOYMENT_MISMATCH", () => {
    const file = path.join(chain.dir, "other.sqlite");
    openIndexerDb(file, chain.deployment).close();
    const other = { ...chain.deployment, contracts: { ...chain.deployment.contracts, AppRegistry: { ...chain.deployment.contracts.AppRegistry, address: `0x${"12".repeat(20)}` } } };
    expect(() => openIndexerDb(file, other)).toThrowError(expect.objectContaining({ code: "INDEXER_DEPLOYMENT_MISMATCH" }));
    expect(fs.existsSync(file)).toBe(true);
  });
});

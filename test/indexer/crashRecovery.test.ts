import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectChain } from "../../core/audit";
import { openIndexerDb } from "../../indexer/db/openIndexerDb";
import { createIndexWriter } from "../../indexer/db/writer";
import { createSyncer } from "../../indexer/sync/syncer";
import { createRandomScenario } from "../audit/helpers/randomScenario";
import { label, mineBlocks, setPlatformAllowed, startTestChain, type TestChain } from "../audit/helpers/testChain";
import { dumpChainTables } from "./helpers/compareIndex";

/**
 * Crash recovery with real processes: `basekms indexer serve` syncing one block per batch is
 * killed with SIGKILL in the middle of the sync; the database it leaves holds whole batches only
 * (a prefix of the history), and a restarted indexer finishes with exactly the tables of a clean sync.
 */
const REPO_ROOT = path.resolve(__dirname, "../..");

describe("indexer crash recovery", () => {
  let chain: TestChain;
  let head: number;
  const children: ChildProcess[] = [];
  let output = "";

  function startIndexer(dbFile: string): ChildProcess {
    const child = spawn(
      process.execPath,
      ["bin/basekms.js", "indexer", "serve", "--rpc", chain.url, "--deployment", chain.deploymentFile, "--db", dbFile, "--port", "0", "--confirmations", "0", "--max-block-range", "1", "--poll-interval", "20", "--no-progress", "--log-level", "warn"],
      { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] },
    );
    children.push(child);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    return child;
  }

  function syncedBlock(dbFile: string): number {
    try {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare("SELECT synced_block FROM sync_state").pluck().get() as number | undefined) ?? -1;
      } finally {
        db.close();
      }
    } catch {
      return -1; // not created yet
    }
  }

  async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out; indexer output:\n${output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve())));

  beforeAll(async () => {
    chain = await startTestChain();
    await createRandomScenario(chain, 41).run(30);
    // Many blocks, most of them empty: one block per batch makes the sync last long enough to be killed.
    for (let round = 0; round < 40; round += 1) {
      await setPlatformAllowed(chain, label(`crash-${round % 5}`), round % 3 !== 0);
      await mineBlocks(chain, 15);
    }
    head = Number(await chain.client.getBlockNumber());
  }, 240_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await chain?.stop();
  });

  it("resumes after SIGKILL mid-sync and ends identical to a clean sync", async () => {
    const dbFile = path.join(chain.dir, "crash.sqlite");
    const first = startIndexer(dbFile);
    const start = chain.deployment.contracts.AppRegistry.blockNumber;
    await waitFor(() => syncedBlock(dbFile) > start + 150, 60_000);
    first.kill("SIGKILL");
    await exited(first);
    const killedAt = syncedBlock(dbFile);
    expect(killedAt).toBeLessThan(head);

    const clean = openIndexerDb(path.join(chain.dir, "clean.sqlite"), chain.deployment);
    await createSyncer({ client: await connectChain(chain.url, chain.deployment), writer: createIndexWriter(clean), deployment: chain.deployment, confirmations: 0 }).syncTo(head);
    const cleanDump = dumpChainTables(clean);

    // What the killed process left is whole batches: exactly the clean rows up to its synced block.
    const partial = new Database(dbFile, { readonly: true });
    const partialEvents = partial.prepare("SELECT * FROM events ORDER BY checkpoint").all();
    partial.close();
    expect(partialEvents).toEqual((cleanDump.events as Array<{ block_number: number }>).filter((row) => row.block_number <= killedAt));

    const second = startIndexer(dbFile);
    await waitFor(() => syncedBlock(dbFile) >= head, 60_000);
    second.kill("SIGTERM");
    await exited(second);
    const resumed = openIndexerDb(dbFile, chain.deployment);
    expect(dumpChainTables(resumed)).toEqual(cleanDump);
    resumed.close();
    clean.close();
  }, 180_000);
});

/**
 * Measures release-log append rates with real fsyncs (WAL, synchronous=FULL): one
 * transaction per leaf, then group commits of several sizes, then the re-open check.
 * Not a test. Run: `npx tsx kms/log/bench-append.ts [directory]` (default: the OS temp dir;
 * point it at the disk the KMS will use, since fsync cost is the disk's).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { keyReleaseLeaf } from "../../core/releaseLog/leaf";
import { createGroupCommitter } from "./groupCommit";
import { openReleaseLog } from "./openReleaseLog";

function leaf(n: number): Uint8Array {
  return keyReleaseLeaf({
    time: 1767225600 + n,
    kms: "0x1111111111111111111111111111111111111111",
    chainId: 31337,
    appRegistry: "0x2222222222222222222222222222222222222222",
    appId: "0x3333333333333333333333333333333333333333",
    instanceId: n.toString(16).padStart(40, "0"),
    composeHash: "cc".repeat(32),
    platformHash: "dd".repeat(32),
    tcbStatus: "UpToDate",
    advisoryIds: ["INTEL-SA-00828"],
    quoteSha256: n.toString(16).padStart(64, "0"),
    policyBlock: { number: 100 + n, hash: `0x${"ab".repeat(32)}` },
    agentKeySha256: "ee".repeat(32),
    keyEpoch: 0,
  }).bytes;
}

function rate(count: number, startedAt: bigint): { perSecond: number; ms: number } {
  const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
  return { perSecond: Math.round((count / ms) * 1000), ms: Math.round(ms) };
}

async function main(): Promise<void> {
  const base = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), "basekms-bench-"));
  const file = path.join(base, "release-log.sqlite");
  const leaves = Array.from({ length: 20_000 }, (_, i) => leaf(i));
  console.log(`release log benchmark in ${base} (leaf ${leaves[0]?.length} bytes, WAL, synchronous=FULL)`);
  try {
    const log = openReleaseLog({ file });
    let next = 0;

    const single = 400;
    let started = process.hrtime.bigint();
    for (let i = 0; i < single; i++) log.append(leaves[next++] as Uint8Array);
    const singleRate = rate(single, started);
    console.log(`single append (1 leaf per fsync): ${singleRate.perSecond} appends/s (${(singleRate.ms / single).toFixed(2)} ms each)`);

    for (const batchSize of [8, 32, 128, 512]) {
      const total = Math.min(batchSize * 40, 4096);
      started = process.hrtime.bigint();
      for (let done = 0; done < total; done += batchSize) log.appendBatch(leaves.slice(next, (next += batchSize)));
      const batched = rate(total, started);
      console.log(`appendBatch(${batchSize}): ${batched.perSecond} appends/s (${(batched.ms / (total / batchSize)).toFixed(2)} ms per commit)`);
    }

    const committer = createGroupCommitter(log);
    const concurrent = 256;
    const rounds = 16;
    started = process.hrtime.bigint();
    for (let round = 0; round < rounds; round++) {
      await Promise.all(Array.from({ length: concurrent }, () => committer.append(leaves[next++] as Uint8Array)));
    }
    const grouped = rate(concurrent * rounds, started);
    console.log(`group committer, ${concurrent} concurrent callers: ${grouped.perSecond} appends/s`);

    const size = log.size();
    log.close();
    started = process.hrtime.bigint();
    openReleaseLog({ file }).close();
    console.log(`verifyOnOpen of ${size} leaves: ${rate(size, started).ms} ms`);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

void main();

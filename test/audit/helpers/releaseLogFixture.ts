/**
 * A KMS's release log for audit tests: a real SQLite store (kms/log), leaves built with the shared
 * builders, checkpoints signed by the KMS identity key and anchored on the test chain, and a tiny
 * fastify server that serves the store under the KMS's public log paths (docs/protocol.md), so the
 * auditor reads it exactly as it reads a KMS.
 */
import path from "node:path";
import Fastify from "fastify";
import type { Hex, LocalAccount } from "viem";
import { toHex } from "../../../core/bytes";
import { platformPolicyDomain } from "../../../core/contracts/typedData";
import { isBaseError } from "../../../core/errors";
import { keyReleaseLeaf, signCheckpoint, type KeyReleaseLeafFields } from "../../../core/releaseLog";
import { openReleaseLog, type ReleaseLog } from "../../../kms/log";
import { anchorCheckpoint, type TestChain } from "./testChain";

export function openLogFile(dir: string, name: string, verifyOnOpen = true): ReleaseLog {
  return openReleaseLog({ file: path.join(dir, `${name}.sqlite`), verifyOnOpen });
}

export interface LeafChoice {
  kms: LocalAccount;
  appId: Hex;
  composeHash: Hex;
  platformHash: Hex;
  tcbStatus?: KeyReleaseLeafFields["tcbStatus"];
  policyBlock: { number: number; hash: Hex };
  instanceId?: string;
  time?: number;
}

/** The bytes of a key-release leaf for the test chain's deployment. */
export function keyReleaseBytes(chain: TestChain, choice: LeafChoice): Uint8Array {
  return keyReleaseLeaf({
    time: choice.time ?? 1_800_000_000,
    kms: choice.kms.address,
    chainId: chain.deployment.chainId,
    appRegistry: chain.deployment.contracts.AppRegistry.address,
    appId: choice.appId,
    instanceId: choice.instanceId ?? "01",
    composeHash: choice.composeHash.replace(/^0x/, ""),
    platformHash: choice.platformHash.replace(/^0x/, ""),
    tcbStatus: choice.tcbStatus ?? "UpToDate",
    advisoryIds: [],
    quoteSha256: "11".repeat(32),
    policyBlock: choice.policyBlock,
    agentKeySha256: "22".repeat(32),
    keyEpoch: 0,
  }).bytes;
}

/** Signs the log's current head with the KMS key and stores it (not anchored). */
export async function signHead(chain: TestChain, log: ReleaseLog, kms: LocalAccount) {
  const domain = platformPolicyDomain(chain.deployment.chainId, chain.deployment.contracts.PlatformPolicy.address as Hex);
  return log.recordCheckpoint(await signCheckpoint(kms, domain, log.size(), log.root()));
}

/** Signs the current head, anchors it on chain and marks it anchored. */
export async function signAndAnchor(chain: TestChain, log: ReleaseLog, kms: LocalAccount): Promise<void> {
  await signHead(chain, log, kms);
  const receipt = await anchorCheckpoint(chain, kms, log.size(), log.root());
  log.markAnchored(log.size(), receipt.transactionHash, Number(receipt.blockNumber));
}

export interface LogServer {
  url: string;
  /** Serves another store from now on (a KMS that swapped its log). */
  use(log: ReleaseLog): void;
  /** Replaces the served checkpoint (a KMS that signs something else). */
  overrideCheckpoint(checkpoint: Record<string, unknown> | undefined): void;
  close(): Promise<void>;
}

/** Serves `initial` under /v1/log/... with the KMS's response shapes. */
export async function serveReleaseLog(initial: ReleaseLog): Promise<LogServer> {
  let log = initial;
  let checkpointOverride: Record<string, unknown> | undefined;
  const app = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    void reply.status(400).send({ errorCode: isBaseError(error) ? error.code : "ERROR", message: error instanceof Error ? error.message : String(error) });
  });
  app.get("/v1/log/checkpoint", async (_request, reply) => {
    if (checkpointOverride) return checkpointOverride;
    const checkpoint = log.latestCheckpoint();
    if (!checkpoint) return reply.status(404).send({ errorCode: "CHECKPOINT_UNAVAILABLE", message: "no checkpoint" });
    return checkpoint;
  });
  app.get<{ Querystring: { start: string; end: string } }>("/v1/log/entries", async (request) => ({
    treeSize: log.size(),
    entries: log.entries(Number(request.query.start), Number(request.query.end)).map((entry) => ({
      index: entry.index,
      leafHash: toHex(entry.leafHash),
      leaf: Buffer.from(entry.body).toString("utf8"),
      createdAt: entry.createdAt,
    })),
  }));
  app.get<{ Querystring: { index: string; size: string } }>("/v1/log/proof/inclusion", async (request) => {
    const index = Number(request.query.index);
    const size = Number(request.query.size);
    return { index, treeSize: size, leafHash: toHex(log.entry(index).leafHash), rootHash: toHex(log.root(size)), proof: log.inclusionProof(index, size).map(toHex) };
  });
  app.get<{ Querystring: { from: string; to: string } }>("/v1/log/proof/consistency", async (request) => {
    const from = Number(request.query.from);
    const to = Number(request.query.to);
    return { from, to, fromRoot: toHex(log.root(from)), toRoot: toHex(log.root(to)), proof: log.consistencyProof(from, to).map(toHex) };
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    use: (next) => {
      log = next;
    },
    overrideCheckpoint: (checkpoint) => {
      checkpointOverride = checkpoint;
    },
    close: () => app.close(),
  };
}

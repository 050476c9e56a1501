import { toHex, toHex0x } from "../../../core/bytes";
import { IndexerError } from "../../errors";
import type { LogMirror } from "../../mirror/logMirror";
import type { IndexerAppDeps, IndexerFastify } from "../types";
import {
  AlarmsResponse,
  ConsistencyQuery,
  ConsistencyResponse,
  EntriesQuery,
  EntriesResponse,
  ErrorResponse,
  InclusionQuery,
  InclusionResponse,
  LogCheckpointResponse,
} from "../schemas";

const MAX_PAGE = 1000;

/**
 * The mirrored release log, under the KMS's own paths and shapes: the latest verified signed
 * head, entries (each with its inclusion proof in that head), proofs, and the alarms. Only
 * verified entries are served, so `basekms audit log --kms <indexer>` audits the mirror.
 */
export function registerLogRoutes(app: IndexerFastify, deps: IndexerAppDeps): void {
  const tags = ["release log"];
  const errors = { 400: ErrorResponse, 404: ErrorResponse };
  const mirror = (): LogMirror => {
    if (!deps.mirror) throw new IndexerError("INDEXER_LOG_UNAVAILABLE", "this indexer mirrors no release log (start it with --kms)");
    return deps.mirror;
  };
  const verifiedHead = () => {
    const head = mirror().latestHead();
    if (!head) throw new IndexerError("INDEXER_LOG_UNAVAILABLE", "no tree head is verified yet");
    return head;
  };
  const count = (value: string, what: string, max: number) => {
    const number = Number(value);
    if (number > max) throw new IndexerError("INDEXER_QUERY_INVALID", `${what} ${number} is beyond the verified tree (${max})`);
    return number;
  };

  app.get("/v1/log/checkpoint", { schema: { summary: "The latest signed tree head the mirror verified", tags, response: { 200: LogCheckpointResponse, ...errors } } }, async () => {
    const head = verifiedHead();
    return { treeSize: head.treeSize, rootHash: toHex0x(head.rootHash), kms: head.kms, signature: head.signature, verifiedAt: head.fetchedAt };
  });

  app.get(
    "/v1/log/entries",
    { schema: { summary: "Verified entries [start, end), at most 1000, each with its inclusion proof in the latest verified head", tags, querystring: EntriesQuery, response: { 200: EntriesResponse, ...errors } } },
    async (request) => {
      const head = verifiedHead();
      const tree = mirror().tree();
      const start = count(request.query.start, "start", head.treeSize);
      const end = Math.min(count(request.query.end, "end", Number.MAX_SAFE_INTEGER), head.treeSize, start + MAX_PAGE);
      if (end < start) throw new IndexerError("INDEXER_QUERY_INVALID", `entries [${start}, ${end}) are not a range`);
      return {
        treeSize: head.treeSize,
        rootHash: toHex(head.rootHash),
        entries: deps.store.entries(start, end).map((entry) => ({
          index: entry.index,
          leafHash: toHex(entry.leafHash),
          leaf: Buffer.from(entry.body).toString("utf8"),
          inclusionProof: tree.inclusionProof(entry.index, head.treeSize).map(toHex),
        })),
      };
    },
  );

  app.get("/v1/log/proof/inclusion", { schema: { summary: "Inclusion proof of leaf `index` in the verified tree of `size` leaves", tags, querystring: InclusionQuery, response: { 200: InclusionResponse, ...errors } } }, async (request) => {
    const tree = mirror().tree();
    const size = count(request.query.size, "size", tree.size);
    const index = count(request.query.index, "index", Math.max(0, size - 1));
    if (size === 0) throw new IndexerError("INDEXER_QUERY_INVALID", "the tree of size 0 has no leaves");
    return { index, treeSize: size, leafHash: toHex(tree.getNode(0, index)), rootHash: toHex(tree.root(size)), proof: tree.inclusionProof(index, size).map(toHex) };
  });

  app.get("/v1/log/proof/consistency", { schema: { summary: "Consistency proof between verified tree sizes `from` and `to`", tags, querystring: ConsistencyQuery, response: { 200: ConsistencyResponse, ...errors } } }, async (request) => {
    const tree = mirror().tree();
    const to = count(request.query.to, "to", tree.size);
    const from = count(request.query.from, "from", to);
    return { from, to, fromRoot: toHex(tree.root(from)), toRoot: toHex(tree.root(to)), proof: tree.consistencyProof(from, to).map(toHex) };
  });

  app.get("/v1/log/alarms", { schema: { summary: "Every alarm the mirror raised (gaps, inconsistencies, forks) and every leaf the policy did not allow", tags, response: { 200: AlarmsResponse } } }, async () => ({
    alarms: deps.store.alarms(),
    violations: deps.store.violations(),
  }));
}

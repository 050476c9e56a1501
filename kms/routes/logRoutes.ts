import { toHex } from "../../core/bytes";
import { KmsError } from "../errors";
import type { ReleaseLog, StoredCheckpoint } from "../log";
import {
  CheckpointResponse,
  ConsistencyQuery,
  ConsistencyResponse,
  EntriesQuery,
  EntriesResponse,
  ErrorResponse,
  InclusionQuery,
  InclusionResponse,
} from "../schemas";
import type { KmsFastify } from "./types";

/**
 * Public reads of the release log (RFC 6962/9162): the latest signed checkpoint, entries by
 * range, inclusion and consistency proofs. Query values are decimal strings (the schema
 * bounds them to safe integers); out-of-range values are `LOG_RANGE_INVALID` (400).
 */
export function registerLogRoutes(app: KmsFastify, log: ReleaseLog, latestCheckpoint: () => StoredCheckpoint | undefined): void {
  const tags = ["release log"];
  const errors = { 400: ErrorResponse, 404: ErrorResponse };

  app.get("/v1/log/checkpoint", { schema: { summary: "The latest signed checkpoint (tree head)", tags, response: { 200: CheckpointResponse, ...errors } } }, async () => {
    const checkpoint = latestCheckpoint();
    if (!checkpoint) throw new KmsError("CHECKPOINT_UNAVAILABLE", "the log has no signed checkpoint yet");
    return checkpoint;
  });

  app.get(
    "/v1/log/entries",
    { schema: { summary: "Leaves [start, end), at most 1000 per page", tags, querystring: EntriesQuery, response: { 200: EntriesResponse, ...errors } } },
    async (request) => {
      const entries = log.entries(Number(request.query.start), Number(request.query.end));
      return {
        treeSize: log.size(),
        entries: entries.map((entry) => ({
          index: entry.index,
          leafHash: toHex(entry.leafHash),
          leaf: Buffer.from(entry.body).toString("utf8"),
          createdAt: entry.createdAt,
        })),
      };
    },
  );

  app.get(
    "/v1/log/proof/inclusion",
    { schema: { summary: "Inclusion proof of leaf `index` in the tree of `size` leaves", tags, querystring: InclusionQuery, response: { 200: InclusionResponse, ...errors } } },
    async (request) => {
      const index = Number(request.query.index);
      const size = Number(request.query.size);
      const proof = log.inclusionProof(index, size);
      return { index, treeSize: size, leafHash: toHex(log.entry(index).leafHash), rootHash: toHex(log.root(size)), proof: proof.map(toHex) };
    },
  );

  app.get(
    "/v1/log/proof/consistency",
    { schema: { summary: "Consistency proof between tree sizes `from` and `to`", tags, querystring: ConsistencyQuery, response: { 200: ConsistencyResponse, ...errors } } },
    async (request) => {
      const from = Number(request.query.from);
      const to = Number(request.query.to);
      const proof = log.consistencyProof(from, to);
      return { from, to, fromRoot: toHex(log.root(from)), toRoot: toHex(log.root(to)), proof: proof.map(toHex) };
    },
  );
}

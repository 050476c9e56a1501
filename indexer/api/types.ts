import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";
import type { BlockHeader } from "../../core/audit";
import type { Deployment } from "../../core/chain/deployment";
import type { AuditStatus } from "../auditStatus";
import type { AppQueries } from "../db/appQueries";
import type { ChainQueries } from "../db/chainQueries";
import type { IndexerMetrics } from "../metrics";
import type { LogMirror } from "../mirror/logMirror";
import type { MirrorStore } from "../mirror/mirrorStore";
import type { PolicyStateCache } from "../policyStateCache";

/** The indexer's fastify instance, typed by its TypeBox schemas. */
export type IndexerFastify = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** Everything the HTTP app reads; built by indexer.ts, or by a test. */
export interface IndexerAppDeps {
  readonly logger: FastifyBaseLogger;
  readonly deployment: Deployment;
  readonly apps: AppQueries;
  readonly chain: ChainQueries;
  readonly store: MirrorStore;
  /** Absent when no release log is mirrored (no --kms). */
  readonly mirror?: LogMirror;
  readonly policy: PolicyStateCache;
  /** The canonical header of a block (an RPC read), or null when the chain has none. */
  readonly header: (blockNumber: number) => Promise<BlockHeader | null>;
  readonly auditStatus: () => AuditStatus;
  readonly status: () => Record<string, unknown>;
  readonly metrics: IndexerMetrics;
}

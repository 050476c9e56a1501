/**
 * Reads of apps, their signer history and their releases, for the API. Everything comes from the
 * append-only tables, so an answer reflects exactly the synced history.
 */
import type { Hex } from "../../core/policy";
import type { IndexerDb } from "./openIndexerDb";

export interface ChainMomentRow {
  blockNumber: number;
  time: number;
  transactionHash: Hex;
}

export interface AppConfigRow extends ChainMomentRow {
  configVersion: number;
  signers: Hex[];
  threshold: number;
  noticePeriod: number;
  previousNoticePeriod: number;
  previousNoticeUntil: number;
}

export interface ApprovalRow {
  nonce: number;
  metadataDigest: Hex;
  approvers: Hex[];
  approved: ChainMomentRow;
  activatesAt: number;
  revocation: (ChainMomentRow & { revoker: Hex; revokedAt: number }) | null;
}

export interface AppSummary {
  appId: Hex;
  creator: Hex;
  registered: ChainMomentRow;
  current: AppConfigRow;
  frozen: (ChainMomentRow & { configVersion: number }) | null;
  releases: number;
}

export interface AppDetail extends Omit<AppSummary, "releases"> {
  configs: AppConfigRow[];
  releases: Array<{ composeHash: Hex; approvals: ApprovalRow[] }>;
}

export interface AppQueries {
  listApps(): AppSummary[];
  app(appId: Hex): AppDetail | undefined;
  /** Compose hashes allowed at the end of block `block` (timestamp `time`), or at `time` when `block` is null. */
  allowedComposeHashes(appId: Hex, at: { block: number | null; time: number }): Hex[];
  appExists(appId: Hex): boolean;
}

type Row = Record<string, unknown>;
const moment = (row: Row): ChainMomentRow => ({
  blockNumber: row.block_number as number,
  time: row.block_time as number,
  transactionHash: row.transaction_hash as Hex,
});
const config = (row: Row): AppConfigRow => ({
  ...moment(row),
  configVersion: row.config_version as number,
  signers: JSON.parse(row.signers as string) as Hex[],
  threshold: row.threshold as number,
  noticePeriod: row.notice_period as number,
  previousNoticePeriod: row.previous_notice_period as number,
  previousNoticeUntil: row.previous_notice_until as number,
});

export function createAppQueries(db: IndexerDb): AppQueries {
  const apps = db.prepare("SELECT * FROM apps ORDER BY checkpoint");
  const oneApp = db.prepare("SELECT * FROM apps WHERE app_id = ?");
  const configs = db.prepare("SELECT * FROM app_configs WHERE app_id = ? ORDER BY config_version");
  const latestConfigs = db.prepare(
    "SELECT c.* FROM app_configs c JOIN (SELECT app_id, MAX(config_version) AS v FROM app_configs GROUP BY app_id) m ON c.app_id = m.app_id AND c.config_version = m.v",
  );
  const freezes = db.prepare("SELECT * FROM app_freezes");
  const freeze = db.prepare("SELECT * FROM app_freezes WHERE app_id = ?");
  const releaseCounts = db.prepare("SELECT app_id, COUNT(DISTINCT compose_hash) AS n FROM release_approvals GROUP BY app_id");
  const approvals = db.prepare("SELECT * FROM release_approvals WHERE app_id = ? ORDER BY checkpoint");
  const revocations = db.prepare("SELECT * FROM release_revocations WHERE app_id = ?");
  const allowedAtBlock = db
    .prepare(
      `SELECT a.compose_hash FROM release_approvals a
       WHERE a.app_id = @appId AND a.block_number <= @block AND a.activates_at <= @time
         AND NOT EXISTS (SELECT 1 FROM release_revocations r
                         WHERE r.app_id = a.app_id AND r.compose_hash = a.compose_hash AND r.nonce = a.nonce AND r.block_number <= @block)
       ORDER BY a.compose_hash`,
    )
    .pluck();
  const allowedAtTime = db
    .prepare(
      `SELECT a.compose_hash FROM release_approvals a
       WHERE a.app_id = @appId AND a.block_time <= @time AND a.activates_at <= @time
         AND NOT EXISTS (SELECT 1 FROM release_revocations r
                         WHERE r.app_id = a.app_id AND r.compose_hash = a.compose_hash AND r.nonce = a.nonce AND r.block_time <= @time)
       ORDER BY a.compose_hash`,
    )
    .pluck();

  const frozenOf = (row: Row | undefined) => (row ? { ...moment(row), configVersion: row.config_version as number } : null);

  return {
    listApps() {
      const current = new Map((latestConfigs.all() as Row[]).map((row) => [row.app_id as Hex, config(row)]));
      const frozen = new Map((freezes.all() as Row[]).map((row) => [row.app_id as Hex, frozenOf(row)]));
      const counts = new Map((releaseCounts.all() as Row[]).map((row) => [row.app_id as Hex, row.n as number]));
      return (apps.all() as Row[]).map((row) => {
        const appId = row.app_id as Hex;
        return {
          appId,
          creator: row.creator as Hex,
          registered: moment(row),
          current: current.get(appId)!,
          frozen: frozen.get(appId) ?? null,
          releases: counts.get(appId) ?? 0,
        };
      });
    },
    app(appId) {
      const row = oneApp.get(appId) as Row | undefined;
      if (!row) return undefined;
      const history = (configs.all(appId) as Row[]).map(config);
      const revoked = new Map((revocations.all(appId) as Row[]).map((entry) => [`${entry.compose_hash as string}/${entry.nonce as number}`, entry]));
      const releases = new Map<Hex, ApprovalRow[]>();
      for (const approval of approvals.all(appId) as Row[]) {
        const composeHash = approval.compose_hash as Hex;
        const revocation = revoked.get(`${composeHash}/${approval.nonce as number}`);
        const list = releases.get(composeHash) ?? [];
        list.push({
          nonce: approval.nonce as number,
          metadataDigest: approval.metadata_digest as Hex,
          approvers: JSON.parse(approval.signers as string) as Hex[],
          approved: moment(approval),
          activatesAt: approval.activates_at as number,
          revocation: revocation ? { ...moment(revocation), revoker: revocation.revoker as Hex, revokedAt: revocation.revoked_at as number } : null,
        });
        releases.set(composeHash, list);
      }
      return {
        appId,
        creator: row.creator as Hex,
        registered: moment(row),
        current: history[history.length - 1]!,
        frozen: frozenOf(freeze.get(appId) as Row | undefined),
        configs: history,
        releases: [...releases].map(([composeHash, list]) => ({ composeHash, approvals: list })),
      };
    },
    allowedComposeHashes(appId, at) {
      return (at.block === null ? allowedAtTime.all({ appId, time: at.time }) : allowedAtBlock.all({ appId, block: at.block, time: at.time })) as Hex[];
    },
    appExists: (appId) => oneApp.get(appId) !== undefined,
  };
}

/**
 * The mirrored release log in the indexer's database: verified entries and heads, alarms, anchor
 * checks and leaf verdicts. Entries and heads are stored only after verification; alarms are
 * never deleted except by a reorg that removes the chain event they were about.
 */
import type { Finding } from "../../core/audit";
import type { Hex } from "../../core/policy";
import type { ReleaseLeaf } from "../../core/releaseLog";
import type { IndexerDb } from "../db/openIndexerDb";

export interface VerifiedHead {
  treeSize: number;
  rootHash: Uint8Array;
  kms: Hex;
  signature: Hex;
  fetchedAt: number;
}

export interface MirroredEntry {
  index: number;
  leafHash: Uint8Array;
  body: Uint8Array;
  /** Undefined when the leaf does not parse (it is kept: it is in the signed tree). */
  leaf: ReleaseLeaf | undefined;
}

export interface AlarmRow {
  id: number;
  code: string;
  message: string;
  evidence: Record<string, unknown>;
  raisedAt: number;
}

export interface MirrorStore {
  leafHashes(): Uint8Array[];
  latestHead(): VerifiedHead | undefined;
  append(entries: readonly MirroredEntry[], head: VerifiedHead): void;
  entries(start: number, end: number): Array<{ index: number; leafHash: Uint8Array; body: Uint8Array }>;
  /** Raises an alarm once per `dedupeKey`; `checkpoint` ties it to a chain event (null: chain-independent). */
  raise(alarm: Finding, dedupeKey: string, checkpoint: string | null, now: number): void;
  alarms(): AlarmRow[];
  anchorChecked(checkpoint: string): boolean;
  recordAnchorCheck(checkpoint: string, treeSize: number, matches: boolean): void;
  /** Leaves with a policy block at or below `syncedBlock` and no verdict yet. */
  unjudged(syncedBlock: number): Array<{ index: number; body: Uint8Array }>;
  recordVerdict(index: number, findings: readonly Finding[], checkpoint: string): void;
  violations(): Array<{ index: number; findings: Finding[] }>;
  verdictCounts(): { judged: number; violations: number };
  keyReleases(appId?: Hex): Array<{ index: number; time: number; appId: Hex; composeHash: Hex; instanceId: string; policyBlock: number }>;
}

const bytes = (value: unknown) => new Uint8Array(value as Buffer);

export function createMirrorStore(db: IndexerDb): MirrorStore {
  const hashes = db.prepare("SELECT leaf_hash FROM log_entries ORDER BY idx").pluck();
  const head = db.prepare("SELECT * FROM log_heads ORDER BY tree_size DESC LIMIT 1");
  const insertEntry = db.prepare(
    `INSERT INTO log_entries (idx, leaf_hash, body, kind, app_id, compose_hash, instance_id, time, policy_block, policy_block_hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertHead = db.prepare("INSERT OR REPLACE INTO log_heads (tree_size, root_hash, kms, signature, fetched_at) VALUES (?, ?, ?, ?, ?)");
  const range = db.prepare("SELECT idx, leaf_hash, body FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx");
  const insertAlarm = db.prepare(
    "INSERT OR IGNORE INTO log_alarms (code, message, evidence, dedupe_key, raised_at, checkpoint) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const alarms = db.prepare("SELECT * FROM log_alarms ORDER BY id");
  const anchorCheck = db.prepare("SELECT 1 FROM anchor_checks WHERE checkpoint = ?");
  const insertAnchorCheck = db.prepare("INSERT OR REPLACE INTO anchor_checks (checkpoint, tree_size, matches) VALUES (?, ?, ?)");
  const unjudged = db.prepare(
    `SELECT e.idx, e.body FROM log_entries e LEFT JOIN leaf_verdicts v ON v.idx = e.idx
     WHERE v.idx IS NULL AND e.policy_block IS NOT NULL AND e.policy_block <= ? ORDER BY e.policy_block, e.idx`,
  );
  const insertVerdict = db.prepare("INSERT OR REPLACE INTO leaf_verdicts (idx, allowed, findings, checkpoint) VALUES (?, ?, ?, ?)");
  const violations = db.prepare("SELECT idx, findings FROM leaf_verdicts WHERE allowed = 0 ORDER BY idx");
  const counts = db.prepare("SELECT COUNT(*) AS judged, COALESCE(SUM(allowed = 0), 0) AS violations FROM leaf_verdicts");
  const releases = db.prepare(
    "SELECT idx, time, app_id, compose_hash, instance_id, policy_block FROM log_entries WHERE kind = 'key-release' ORDER BY idx",
  );
  const releasesOf = db.prepare(
    "SELECT idx, time, app_id, compose_hash, instance_id, policy_block FROM log_entries WHERE kind = 'key-release' AND app_id = ? ORDER BY idx",
  );

  const append = db.transaction((entries: readonly MirroredEntry[], verified: VerifiedHead) => {
    for (const { index, leafHash, body, leaf } of entries) {
      const release = leaf?.kind === "key-release" ? leaf : undefined;
      insertEntry.run(
        index,
        Buffer.from(leafHash),
        Buffer.from(body),
        leaf?.kind ?? null,
        release?.appId ?? null,
        release ? `0x${release.composeHash}` : null,
        release?.instanceId ?? null,
        leaf?.time ?? null,
        leaf?.policyBlock.number ?? null,
        leaf?.policyBlock.hash ?? null,
      );
    }
    insertHead.run(verified.treeSize, Buffer.from(verified.rootHash), verified.kms, verified.signature, verified.fetchedAt);
  });

  return {
    leafHashes: () => (hashes.all() as Buffer[]).map(bytes),
    latestHead() {
      const row = head.get() as Record<string, unknown> | undefined;
      if (!row) return undefined;
      return {
        treeSize: row.tree_size as number,
        rootHash: bytes(row.root_hash),
        kms: row.kms as Hex,
        signature: row.signature as Hex,
        fetchedAt: row.fetched_at as number,
      };
    },
    append: (entries, verified) => append(entries, verified),
    entries: (start, end) =>
      (range.all(start, end) as Array<Record<string, unknown>>).map((row) => ({ index: row.idx as number, leafHash: bytes(row.leaf_hash), body: bytes(row.body) })),
    raise(alarm, dedupeKey, checkpoint, now) {
      insertAlarm.run(alarm.code, alarm.message, JSON.stringify(alarm.evidence), dedupeKey, now, checkpoint);
    },
    alarms: () =>
      (alarms.all() as Array<Record<string, unknown>>).map((row) => ({
        id: row.id as number,
        code: row.code as string,
        message: row.message as string,
        evidence: JSON.parse(row.evidence as string) as Record<string, unknown>,
        raisedAt: row.raised_at as number,
      })),
    anchorChecked: (checkpoint) => anchorCheck.get(checkpoint) !== undefined,
    recordAnchorCheck: (checkpoint, treeSize, matches) => void insertAnchorCheck.run(checkpoint, treeSize, matches ? 1 : 0),
    unjudged: (syncedBlock) => (unjudged.all(syncedBlock) as Array<Record<string, unknown>>).map((row) => ({ index: row.idx as number, body: bytes(row.body) })),
    recordVerdict: (index, findings, checkpoint) => void insertVerdict.run(index, findings.length === 0 ? 1 : 0, JSON.stringify(findings), checkpoint),
    violations: () =>
      (violations.all() as Array<Record<string, unknown>>).map((row) => ({ index: row.idx as number, findings: JSON.parse(row.findings as string) as Finding[] })),
    verdictCounts: () => counts.get() as { judged: number; violations: number },
    keyReleases: (appId) =>
      ((appId ? releasesOf.all(appId) : releases.all()) as Array<Record<string, unknown>>).map((row) => ({
        index: row.idx as number,
        time: row.time as number,
        appId: row.app_id as Hex,
        composeHash: row.compose_hash as Hex,
        instanceId: row.instance_id as string,
        policyBlock: row.policy_block as number,
      })),
  };
}

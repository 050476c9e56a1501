import { Type, type Static } from "typebox";

/**
 * HTTP shapes of the indexer API (docs/indexer.md). Chain values are `0x` lowercase hex; block
 * numbers and unix times are integers; the release-log paths use the KMS's own shapes
 * (docs/protocol.md), so the audit CLI reads a mirror as it reads a KMS.
 */
const Hex0x = Type.String({ pattern: "^0x[0-9a-f]*$" });
const HexPlain = Type.String({ pattern: "^[0-9a-f]*$" });
const Integer = Type.Integer({ minimum: 0 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const ErrorResponse = Type.Object({ errorCode: Type.String(), message: Type.String() });

const Moment = Type.Object({ blockNumber: Integer, time: Integer, transactionHash: Hex0x });
const AppConfig = Type.Object({
  configVersion: Integer,
  signers: Type.Array(Hex0x),
  threshold: Integer,
  noticePeriod: Integer,
  previousNoticePeriod: Integer,
  previousNoticeUntil: Integer,
  blockNumber: Integer,
  time: Integer,
  transactionHash: Hex0x,
});
const Frozen = Nullable(Type.Object({ blockNumber: Integer, time: Integer, transactionHash: Hex0x, configVersion: Integer }));

export const AppParams = Type.Object({ id: Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" }) });

export const AppListResponse = Type.Object({
  syncedBlock: Integer,
  apps: Type.Array(
    Type.Object({ appId: Hex0x, creator: Hex0x, registered: Moment, current: AppConfig, frozen: Frozen, releases: Integer }),
  ),
});

const Approval = Type.Object({
  nonce: Integer,
  metadataDigest: Hex0x,
  approvers: Type.Array(Hex0x),
  approved: Moment,
  activatesAt: Integer,
  revocation: Nullable(Type.Object({ blockNumber: Integer, time: Integer, transactionHash: Hex0x, revoker: Hex0x, revokedAt: Integer })),
});

export const AppDetailResponse = Type.Object({
  syncedBlock: Integer,
  appId: Hex0x,
  creator: Hex0x,
  registered: Moment,
  current: AppConfig,
  frozen: Frozen,
  configs: Type.Array(AppConfig),
  releases: Type.Array(Type.Object({ composeHash: Hex0x, approvals: Type.Array(Approval) })),
  keyReleases: Type.Integer(),
});

export const PolicyQuery = Type.Object(
  {
    block: Type.Optional(Type.String({ pattern: "^[0-9]{1,15}$" })),
    time: Type.Optional(Type.String({ pattern: "^[0-9]{1,12}$" })),
  },
  { additionalProperties: false },
);
export const PolicyResponse = Type.Object({
  appId: Hex0x,
  block: Nullable(Integer),
  time: Integer,
  syncedBlock: Integer,
  allowedComposeHashes: Type.Array(Hex0x),
});

/** The PeriodReport of core/audit/periodReport.ts, with the synced block and the log it counted from. */
export const ReportResponse = Type.Unknown({ description: "PeriodReport (docs/indexer.md)" });
export const ReportQuery = Type.Object({ from: Type.String({ maxLength: 40 }), to: Type.String({ maxLength: 40 }) }, { additionalProperties: false });

export const TimelineQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,5}$" })) }, { additionalProperties: false });
export const TimelineResponse = Type.Object({
  appId: Hex0x,
  syncedBlock: Integer,
  items: Type.Array(
    Type.Object({
      time: Integer,
      blockNumber: Nullable(Integer),
      kind: Type.String(),
      title: Type.String(),
      composeHash: Nullable(Hex0x),
      detail: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  keyReleasesOmitted: Integer,
});

export const KmsResponse = Type.Object({
  syncedBlock: Integer,
  identities: Type.Array(
    Type.Object({
      kms: Hex0x,
      active: Type.Boolean(),
      quoteHash: Nullable(Hex0x),
      measurement: Nullable(Hex0x),
      history: Type.Array(Type.Object({ active: Type.Boolean(), quoteHash: Nullable(Hex0x), measurement: Nullable(Hex0x), blockNumber: Integer, time: Integer, transactionHash: Hex0x })),
    }),
  ),
  checkpoints: Type.Array(Type.Object({ kms: Hex0x, treeSize: Integer, rootHash: Hex0x, blockNumber: Integer, time: Integer, transactionHash: Hex0x })),
  conflicts: Type.Array(
    Type.Object({ kms: Hex0x, treeSize: Integer, recordedRoot: Hex0x, conflictingRoot: Hex0x, signature: Hex0x, blockNumber: Integer, time: Integer, transactionHash: Hex0x }),
  ),
});

export const PlatformResponse = Type.Object({
  syncedBlock: Integer,
  governance: Nullable(Hex0x),
  allowedPlatforms: Type.Array(Hex0x),
  allowedTcbStatuses: Nullable(Integer),
  allowedKmsMeasurements: Type.Array(Hex0x),
  history: Type.Array(
    Type.Object({ kind: Type.String(), subject: Nullable(Hex0x), allowed: Nullable(Type.Boolean()), value: Nullable(Integer), blockNumber: Integer, time: Integer, transactionHash: Hex0x }),
  ),
});

export const LogCheckpointResponse = Type.Object({ treeSize: Integer, rootHash: Hex0x, kms: Hex0x, signature: Hex0x, verifiedAt: Integer });
const Count = Type.String({ pattern: "^[0-9]{1,15}$" });
export const EntriesQuery = Type.Object({ start: Count, end: Count }, { additionalProperties: false });
export const InclusionQuery = Type.Object({ index: Count, size: Count }, { additionalProperties: false });
export const ConsistencyQuery = Type.Object({ from: Count, to: Count }, { additionalProperties: false });
export const EntriesResponse = Type.Object({
  treeSize: Integer,
  rootHash: HexPlain,
  entries: Type.Array(Type.Object({ index: Integer, leafHash: HexPlain, leaf: Type.String(), inclusionProof: Type.Array(HexPlain) })),
});
export const InclusionResponse = Type.Object({ index: Integer, treeSize: Integer, leafHash: HexPlain, rootHash: HexPlain, proof: Type.Array(HexPlain) });
export const ConsistencyResponse = Type.Object({ from: Integer, to: Integer, fromRoot: HexPlain, toRoot: HexPlain, proof: Type.Array(HexPlain) });

const Reason = Type.Object({ code: Type.String(), message: Type.String(), evidence: Type.Record(Type.String(), Type.Unknown()) });
export const AlarmsResponse = Type.Object({
  alarms: Type.Array(Type.Object({ id: Integer, code: Type.String(), message: Type.String(), evidence: Type.Record(Type.String(), Type.Unknown()), raisedAt: Integer })),
  violations: Type.Array(Type.Object({ index: Integer, findings: Type.Array(Reason) })),
});

export const AuditStatusResponse = Type.Object({
  status: Type.Union([Type.Literal("green"), Type.Literal("red")]),
  reasons: Type.Array(Reason),
  syncedBlock: Integer,
  chainHead: Nullable(Integer),
  log: Type.Object({
    mirrored: Type.Boolean(),
    reachable: Nullable(Type.Boolean()),
    lastError: Nullable(Type.String()),
    kms: Nullable(Hex0x),
    treeSize: Integer,
    leavesJudged: Integer,
    unanchoredEntries: Nullable(Integer),
  }),
});

export type PolicyResponse = Static<typeof PolicyResponse>;

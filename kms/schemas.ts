import { type Static, Type } from "typebox";

/**
 * HTTP shapes of the KMS (docs/protocol.md). Bytes travel as lowercase hex without `0x`;
 * chain values (addresses, block hashes, signatures) as `0x` hex. Request bodies reject
 * unknown members, and every string and array has a bound.
 */
const hexBytes = (bytes: number, description: string) =>
  Type.String({ pattern: `^(?:0x)?[0-9a-fA-F]{${bytes * 2}}$`, description });

export const Hex32 = Type.String({ pattern: "^[0-9a-f]{64}$" });
const Hex = Type.String({ pattern: "^[0-9a-f]*$" });
const Hex0x = Type.String({ pattern: "^0x[0-9a-fA-F]*$" });

/** Quotes are ~5 KiB with their PCK chain; 16 KiB is generous. */
export const MAX_QUOTE_BYTES = 16 * 1024;
/**
 * Only typed here. The release worker checks the length and decodes the quote in one pass,
 * refusing anything empty, longer than MAX_QUOTE_BYTES or not whole-byte hex with
 * REQUEST_MALFORMED (kms/attest/checkAttestation.ts): a pattern would scan ~10,000
 * characters a second time, and Ajv's min/maxLength counts code points one by one (about
 * 50 µs per quote). The body limit bounds it before parsing.
 */
const QuoteHex = Type.String({ description: `the TDX quote, hex (optionally 0x-prefixed), at most ${MAX_QUOTE_BYTES} bytes` });
/** dstack logs hold ~30 events (RTMR0-3); a bound keeps a hostile log from costing hashing. */
const EventLog = Type.Array(Type.Record(Type.String(), Type.Unknown()), {
  maxItems: 512,
  description: "the RTMR3 event log in dstack's JSON shape ({ imr, event_type, digest, event, event_payload })",
});

export const KeyRequestBody = Type.Object(
  {
    quote: QuoteHex,
    eventLog: EventLog,
    agentPublicKey: hexBytes(32, "the agent's ephemeral X25519 public key"),
    nonce: hexBytes(32, "the nonce from GET /v1/challenge"),
  },
  { additionalProperties: false },
);
export type KeyRequestBody = Static<typeof KeyRequestBody>;

export const OnboardRequestBody = Type.Object(
  {
    quote: QuoteHex,
    eventLog: EventLog,
    kmsPublicKey: hexBytes(32, "the joining KMS's X25519 public key"),
    nonce: hexBytes(32, "the nonce from GET /v1/challenge"),
    kmsAddress: Type.Optional(
      Type.String({ pattern: "^0x[0-9a-fA-F]{40}$", description: "the joining KMS's identity address, when it already knows it (logged as newKms)" }),
    ),
  },
  { additionalProperties: false },
);
export type OnboardRequestBody = Static<typeof OnboardRequestBody>;

export const ErrorResponse = Type.Object({
  errorCode: Type.String(),
  message: Type.String(),
  reason: Type.Optional(Type.String()),
});

export const ChallengeResponse = Type.Object({
  nonce: Hex32,
  expiresAt: Type.Integer({ description: "unix seconds" }),
});

const PolicyBlock = Type.Object({ number: Type.Integer(), hash: Hex0x });

export const Receipt = Type.Object({
  logIndex: Type.Integer(),
  leafHash: Hex32,
  leaf: Type.String({ description: "the leaf's JCS text: leafHash = SHA-256(0x00 ‖ utf8(leaf))" }),
  treeSize: Type.Integer(),
  rootHash: Hex32,
  inclusionProof: Type.Array(Hex32),
  policyBlock: PolicyBlock,
  kms: Hex0x,
  signature: Hex0x,
});
export type Receipt = Static<typeof Receipt>;

const Envelope = Type.Object({ enc: Hex, ciphertext: Hex });

export const KeyResponse = Type.Object({ sealedKey: Envelope, receipt: Receipt });
export type KeyResponse = Static<typeof KeyResponse>;

export const OnboardResponse = Type.Object({ sealedSecret: Envelope, receipt: Receipt });
export type OnboardResponse = Static<typeof OnboardResponse>;

const Checkpoint = Type.Object({
  treeSize: Type.Integer(),
  rootHash: Hex0x,
  kms: Hex0x,
  signature: Hex0x,
  signedAt: Type.Integer({ description: "unix ms" }),
  anchoredTx: Type.Union([Hex0x, Type.Null()]),
  anchoredBlock: Type.Union([Type.Integer(), Type.Null()]),
});
export const CheckpointResponse = Checkpoint;

const Count = Type.String({ pattern: "^[0-9]{1,15}$" });
export const EntriesQuery = Type.Object({ start: Count, end: Count }, { additionalProperties: false });
export const InclusionQuery = Type.Object({ index: Count, size: Count }, { additionalProperties: false });
export const ConsistencyQuery = Type.Object({ from: Count, to: Count }, { additionalProperties: false });

export const EntriesResponse = Type.Object({
  treeSize: Type.Integer(),
  entries: Type.Array(Type.Object({ index: Type.Integer(), leafHash: Hex32, leaf: Type.String(), createdAt: Type.Integer() })),
});
export const InclusionResponse = Type.Object({
  index: Type.Integer(),
  treeSize: Type.Integer(),
  leafHash: Hex32,
  rootHash: Hex32,
  proof: Type.Array(Hex32),
});
export const ConsistencyResponse = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  fromRoot: Hex32,
  toRoot: Hex32,
  proof: Type.Array(Hex32),
});

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
  network: Type.Union([Type.Literal("sealed"), Type.Literal("sandbox")]),
  chainId: Type.Integer(),
  contracts: Type.Object({ AppRegistry: Hex0x, PlatformPolicy: Hex0x }),
  kms: Type.Object({
    address: Hex0x,
    identityStorage: Type.String(),
    quote: Hex,
    quoteSha256: Hex32,
    reportData: Hex,
    eventLog: Type.Array(Type.Unknown()),
    measurement: Type.Union([Hex32, Type.Null()]),
    quoteSource: Type.String(),
  }),
  log: Type.Object({
    size: Type.Integer(),
    checkpoint: Type.Union([Checkpoint, Type.Null()]),
    latestAnchored: Type.Union([Checkpoint, Type.Null()]),
    unanchoredEntries: Type.Integer(),
  }),
  anchoring: Type.Object({
    everyEntries: Type.Integer(),
    intervalSeconds: Type.Integer(),
    lastError: Type.Union([Type.String(), Type.Null()]),
    consecutiveFailures: Type.Integer(),
  }),
  policy: Type.Object({
    confirmations: Type.Integer(),
    block: Type.Union([PolicyBlock, Type.Null()]),
    stale: Type.Boolean(),
    lastError: Type.Union([Type.String(), Type.Null()]),
  }),
  rootSecret: Type.Object({ storage: Type.String() }),
  taints: Type.Array(Type.String()),
  warnings: Type.Array(Type.String()),
});
export type HealthResponse = Static<typeof HealthResponse>;

import { type Static, Type } from "typebox";

/** The `GET /health` body (docs/agent.md). Hex is lowercase without `0x`, except `appId`. */
const Hex = Type.String({ pattern: "^[0-9a-f]*$" });
const NullableHex = Type.Union([Type.String({ pattern: "^(0x)?[0-9a-f]*$" }), Type.Null()]);

export const AgentHealthClaimsSchema = Type.Object({
  v: Type.Literal(1),
  quoteProvider: Type.String(),
  /** The provider's own taint reasons, sorted. */
  taint: Type.Array(Type.String()),
  /** `0x` + 20 bytes, or null before the app is measured. */
  appId: NullableHex,
  composeHash: NullableHex,
  instanceId: NullableHex,
});

const DstackEvent = Type.Object({
  imr: Type.Integer(),
  event_type: Type.Integer(),
  digest: Hex,
  event: Type.String(),
  event_payload: Hex,
});

export const AgentEvidenceSchema = Type.Object({
  service: Type.Literal("basekms-agent"),
  quoteProvider: Type.String(),
  /** The provider's taint plus what this evidence shows (`not-measured`, `event-log-mismatch`). */
  taint: Type.Array(Type.String()),
  claims: AgentHealthClaimsSchema,
  /** Empty when the caller gave none. */
  nonce: Hex,
  reportData: Hex,
  quote: Hex,
  measurements: Type.Object({
    mrTd: Hex,
    rtmr0: Hex,
    rtmr1: Hex,
    rtmr2: Hex,
    rtmr3: Hex,
    platformHash: Hex,
    appId: NullableHex,
    composeHash: NullableHex,
    instanceId: NullableHex,
  }),
  eventLog: Type.Array(DstackEvent),
});

export type AgentHealthClaims = Static<typeof AgentHealthClaimsSchema>;
export type AgentEvidence = Static<typeof AgentEvidenceSchema>;

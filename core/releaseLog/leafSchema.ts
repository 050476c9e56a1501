import { type Static, Type } from "typebox";
import { TCB_STATUSES } from "../attestation/types";

/**
 * The two kinds of release-log leaf, version 1. Every leaf is one JSON object in its JCS
 * (RFC 8785) encoding, so each leaf has exactly one byte string and one leaf hash.
 *
 * Spelling, chosen so that each value has one text form:
 * - hashes and other opaque bytes: lowercase hex, no `0x` (`composeHash`, `quoteSha256`);
 * - chain things (addresses, app ids, block hashes): `0x` and lowercase hex, never
 *   EIP-55 checksummed (checksums are a display concern and would give two encodings);
 * - integers: JSON numbers within JavaScript's safe range, so JCS writes them exactly;
 * - `advisoryIds`: sorted and unique, so a set has one encoding.
 */
const Hex32 = Type.String({ pattern: "^[0-9a-f]{64}$" });
const Address = Type.String({ pattern: "^0x[0-9a-f]{40}$" });
const BlockHash = Type.String({ pattern: "^0x[0-9a-f]{64}$" });
/** dstack's instance id: up to 256 bytes (core/crypto/keyDerivation MAX_INSTANCE_ID_LENGTH), may be empty. */
const InstanceIdHex = Type.String({ pattern: "^(?:[0-9a-f]{2}){0,256}$" });
const UnixSeconds = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const ChainId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const AdvisoryId = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" });

const PolicyBlock = Type.Object(
  {
    number: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    hash: BlockHash,
  },
  { additionalProperties: false },
);

/** Fields both kinds share: who logged it, against which policy, and what was attested. */
const commonFields = {
  v: Type.Literal(1),
  time: UnixSeconds,
  kms: Address,
  chainId: ChainId,
  appRegistry: Address,
  platformHash: Hex32,
  tcbStatus: Type.Enum(TCB_STATUSES),
  advisoryIds: Type.Array(AdvisoryId, { maxItems: 256 }),
  quoteSha256: Hex32,
  policyBlock: PolicyBlock,
  agentKeySha256: Hex32,
  keyEpoch: Type.Integer({ minimum: 0, maximum: 0xffff_ffff }),
};

/** One disk key released to one app instance. */
export const KeyReleaseLeafSchema = Type.Object(
  {
    ...commonFields,
    kind: Type.Literal("key-release"),
    appId: Address,
    instanceId: InstanceIdHex,
    composeHash: Hex32,
  },
  { additionalProperties: false },
);

/** The root secret sealed to a newly onboarded KMS instance (`newKms`). */
export const OnboardingLeafSchema = Type.Object(
  {
    ...commonFields,
    kind: Type.Literal("kms-onboarding"),
    newKms: Address,
    kmsMeasurement: Hex32,
  },
  { additionalProperties: false },
);

export const ReleaseLeafSchema = Type.Union([KeyReleaseLeafSchema, OnboardingLeafSchema]);

export type KeyReleaseLeaf = Static<typeof KeyReleaseLeafSchema>;
export type OnboardingLeaf = Static<typeof OnboardingLeafSchema>;
export type ReleaseLeaf = Static<typeof ReleaseLeafSchema>;
export type ReleaseLeafKind = ReleaseLeaf["kind"];

export const LEAF_VERSION = 1;
/** A leaf is a few hundred bytes; anything near this bound is not a leaf. */
export const MAX_LEAF_BYTES = 8192;

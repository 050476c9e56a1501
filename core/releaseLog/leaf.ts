import { Compile } from "typebox/compile";
import { bytesEqual, utf8 } from "../bytes";
import { canonicalJson } from "../jcs";
import { leafHash as merkleLeafHash } from "../merkle/hash";
import { ReleaseLogError } from "./errors";
import {
  type KeyReleaseLeaf,
  KeyReleaseLeafSchema,
  LEAF_VERSION,
  MAX_LEAF_BYTES,
  type OnboardingLeaf,
  OnboardingLeafSchema,
  type ReleaseLeaf,
} from "./leafSchema";

/**
 * Release-log leaves: build them (KMS), parse them strictly (agent, indexer, auditor). A
 * leaf's bytes are `utf8(JCS(leaf))` and its Merkle leaf hash is `SHA-256(0x00 ‖ bytes)`
 * (RFC 6962 §2.1). Everyone hashes through these functions, so an audit recomputes
 * exactly what the KMS committed to.
 */
export interface EncodedLeaf<Leaf extends ReleaseLeaf = ReleaseLeaf> {
  leaf: Leaf;
  bytes: Uint8Array;
  leafHash: Uint8Array;
}

export type KeyReleaseLeafFields = Omit<KeyReleaseLeaf, "v" | "kind">;
export type OnboardingLeafFields = Omit<OnboardingLeaf, "v" | "kind">;

const validators = {
  "key-release": Compile(KeyReleaseLeafSchema),
  "kms-onboarding": Compile(OnboardingLeafSchema),
} as const;

/** Hex and address fields the builders lowercase (callers often hold EIP-55 addresses). */
const LOWERCASE_FIELDS = [
  "kms",
  "appRegistry",
  "appId",
  "instanceId",
  "composeHash",
  "platformHash",
  "quoteSha256",
  "agentKeySha256",
  "newKms",
  "kmsMeasurement",
] as const;

function assertSchema(value: unknown): asserts value is ReleaseLeaf {
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind !== "key-release" && kind !== "kms-onboarding") {
    throw new ReleaseLogError("LEAF_SCHEMA_INVALID", `leaf kind ${JSON.stringify(kind) ?? "undefined"} is not known`);
  }
  const validator = validators[kind];
  if (!validator.Check(value)) {
    const first = validator.Errors(value)[0];
    const where = first ? `${first.instancePath || "/"}: ${first.message}` : "invalid";
    throw new ReleaseLogError("LEAF_SCHEMA_INVALID", `not a v${LEAF_VERSION} ${kind} leaf (${where})`);
  }
}

function isSortedUnique(values: readonly string[]): boolean {
  for (let i = 1; i < values.length; i++) if ((values[i - 1] as string) >= (values[i] as string)) return false;
  return true;
}

function encode<Leaf extends ReleaseLeaf>(leaf: Leaf): EncodedLeaf<Leaf> {
  const bytes = utf8(canonicalJson(leaf));
  if (bytes.length > MAX_LEAF_BYTES) throw new ReleaseLogError("LEAF_MALFORMED", `leaf is over ${MAX_LEAF_BYTES} bytes`);
  return { leaf, bytes, leafHash: merkleLeafHash(bytes) };
}

/** Lowercases hex and addresses, sorts and de-duplicates advisory ids; leaves the rest alone. */
function normalize(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  for (const key of LOWERCASE_FIELDS) {
    const value = out[key];
    if (typeof value === "string") out[key] = value.toLowerCase();
  }
  const block = out.policyBlock as { number?: unknown; hash?: unknown } | undefined;
  if (block && typeof block === "object" && typeof block.hash === "string") {
    out.policyBlock = { ...block, hash: block.hash.toLowerCase() };
  }
  if (Array.isArray(out.advisoryIds)) out.advisoryIds = [...new Set(out.advisoryIds)].sort();
  return out;
}

function build<Leaf extends ReleaseLeaf>(kind: Leaf["kind"], fields: object): EncodedLeaf<Leaf> {
  const leaf = { ...normalize(fields as Record<string, unknown>), v: LEAF_VERSION, kind };
  assertSchema(leaf);
  return encode(leaf as Leaf);
}

/** Builds a `key-release` leaf. Throws `LEAF_SCHEMA_INVALID` on any field outside the schema. */
export function keyReleaseLeaf(fields: KeyReleaseLeafFields): EncodedLeaf<KeyReleaseLeaf> {
  return build<KeyReleaseLeaf>("key-release", fields);
}

/** Builds a `kms-onboarding` leaf. Throws `LEAF_SCHEMA_INVALID` on any field outside the schema. */
export function onboardingLeaf(fields: OnboardingLeafFields): EncodedLeaf<OnboardingLeaf> {
  return build<OnboardingLeaf>("kms-onboarding", fields);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses leaf bytes strictly: UTF-8 JSON (`LEAF_MALFORMED`), a v1 leaf of a known kind
 * (`LEAF_SCHEMA_INVALID`), and byte-for-byte its own JCS encoding with sorted unique
 * advisory ids (`LEAF_NOT_CANONICAL`). Refusing other encodings matters: two byte strings
 * for one leaf would give two leaf hashes for one release.
 */
export function parseLeaf(bytes: Uint8Array): EncodedLeaf {
  if (!(bytes instanceof Uint8Array)) throw new ReleaseLogError("LEAF_MALFORMED", "leaf must be bytes");
  if (bytes.length > MAX_LEAF_BYTES) throw new ReleaseLogError("LEAF_MALFORMED", `leaf is over ${MAX_LEAF_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(bytes));
  } catch (cause) {
    throw new ReleaseLogError("LEAF_MALFORMED", "leaf is not UTF-8 JSON", { cause });
  }
  assertSchema(value);
  if (!isSortedUnique(value.advisoryIds)) {
    throw new ReleaseLogError("LEAF_NOT_CANONICAL", "leaf advisoryIds are not sorted and unique");
  }
  const encoded = encode(value);
  if (!bytesEqual(encoded.bytes, bytes)) {
    throw new ReleaseLogError("LEAF_NOT_CANONICAL", "leaf bytes are not the JCS encoding of the leaf");
  }
  return encoded;
}

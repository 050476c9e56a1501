import { type Static, Type } from "typebox";
import { Compile } from "typebox/compile";
import { tryFromHex } from "../../core/bytes";
import { HPKE_ENC_LENGTH, HPKE_TAG_LENGTH, NONCE_LENGTH, type SealedEnvelope } from "../../core/crypto";
import { MAX_LEAF_BYTES } from "../../core/releaseLog";
import { AgentError, type AgentErrorCode } from "../errors";

/**
 * The agent's side of docs/protocol.md: TypeBox schemas of what the KMS sends, and their
 * decoding from hex into bytes. Hex may carry `0x` or not; lengths are checked here, so
 * nothing past this file sees a malformed field. A malformed receipt is `RECEIPT_INVALID`;
 * any other malformed success body is `KMS_RESPONSE_INVALID`.
 */
const Hex = Type.String({ pattern: "^(0x)?([0-9a-fA-F]{2})*$", maxLength: 4096 });
const Hex0x = (bytes: number) => Type.String({ pattern: `^0x[0-9a-fA-F]{${bytes * 2}}$` });
const SafeUint = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

const ChallengeSchema = Type.Object({ nonce: Hex, expiresAt: SafeUint });

const KeyResponseSchema = Type.Object({
  sealedKey: Type.Object({ enc: Hex, ciphertext: Hex }),
  receipt: Type.Object({}),
});

const ReceiptSchema = Type.Object({
  logIndex: SafeUint,
  leafHash: Hex,
  leaf: Type.String({ maxLength: MAX_LEAF_BYTES }),
  treeSize: SafeUint,
  rootHash: Hex,
  inclusionProof: Type.Array(Hex, { maxItems: 64 }),
  policyBlock: Type.Object({ number: SafeUint, hash: Hex0x(32) }),
  kms: Hex0x(20),
  signature: Type.String({ pattern: "^0x[0-9a-fA-F]*$", maxLength: 260 }),
});

const ErrorBodySchema = Type.Object({ errorCode: Type.String({ maxLength: 128 }), message: Type.Optional(Type.String()) });
/**
 * A refusal's `reason` (docs/kms.md: COMPOSE_HASH_NOT_ALLOWED's `not-approved`, `not-yet-active`,
 * `revoked`, `unknown-app`) is a short lower-case token. It is printed to a terminal and put in
 * JSON for scripts, so anything else (control characters, a novel) is dropped, not shown.
 */
const RefusalReasonSchema = Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$", maxLength: 64 });

const challengeValidator = Compile(ChallengeSchema);
const keyResponseValidator = Compile(KeyResponseSchema);
const receiptValidator = Compile(ReceiptSchema);
const errorBodyValidator = Compile(ErrorBodySchema);
const refusalReasonValidator = Compile(RefusalReasonSchema);

export interface Challenge {
  nonce: Uint8Array;
  expiresAt: number;
}

/** A receipt with its hashes as bytes; addresses and signatures stay `0x` hex (viem's edge). */
export interface WireReceipt {
  logIndex: number;
  leafHash: Uint8Array;
  /** The JCS text of the leaf, exactly as the KMS hashed it. */
  leaf: string;
  treeSize: number;
  rootHash: Uint8Array;
  inclusionProof: Uint8Array[];
  policyBlock: { number: number; hash: `0x${string}` };
  kms: `0x${string}`;
  signature: `0x${string}`;
}

export interface KeyResponse {
  sealedKey: SealedEnvelope;
  receipt: WireReceipt;
}

/** The body of `POST /v1/keys` (docs/protocol.md §3), hex without `0x`. */
export interface KeyRequestBody {
  quote: string;
  eventLog: unknown[];
  agentPublicKey: string;
  nonce: string;
}

export type KmsErrorBody = Static<typeof ErrorBodySchema> & { reason?: string };

function firstError(validator: { Errors(value: unknown): Iterable<{ instancePath?: string; message?: string }> }, value: unknown): string {
  for (const error of validator.Errors(value)) return `${error.instancePath || "/"}: ${error.message ?? "invalid"}`;
  return "invalid";
}

function hexBytes(text: string, length: number | undefined, field: string, code: AgentErrorCode): Uint8Array {
  const bytes = tryFromHex(text);
  if (!bytes || (length !== undefined && bytes.length !== length)) {
    throw new AgentError(code, `${field} must be ${length ?? "whole"} bytes of hex`);
  }
  return bytes;
}

export function decodeChallenge(body: unknown): Challenge {
  if (!challengeValidator.Check(body)) {
    throw new AgentError("KMS_RESPONSE_INVALID", `challenge is not { nonce, expiresAt } (${firstError(challengeValidator, body)})`);
  }
  return { nonce: hexBytes(body.nonce, NONCE_LENGTH, "challenge nonce", "KMS_RESPONSE_INVALID"), expiresAt: body.expiresAt };
}

export function decodeKeyResponse(body: unknown): KeyResponse {
  if (!keyResponseValidator.Check(body)) {
    throw new AgentError("KMS_RESPONSE_INVALID", `key response is not { sealedKey, receipt } (${firstError(keyResponseValidator, body)})`);
  }
  const enc = hexBytes(body.sealedKey.enc, HPKE_ENC_LENGTH, "sealedKey.enc", "KMS_RESPONSE_INVALID");
  const ciphertext = hexBytes(body.sealedKey.ciphertext, undefined, "sealedKey.ciphertext", "KMS_RESPONSE_INVALID");
  if (ciphertext.length < HPKE_TAG_LENGTH) throw new AgentError("KMS_RESPONSE_INVALID", "sealedKey.ciphertext is shorter than its tag");
  return { sealedKey: { enc, ciphertext }, receipt: decodeReceipt(body.receipt) };
}

export function decodeReceipt(raw: unknown): WireReceipt {
  if (!receiptValidator.Check(raw)) {
    throw new AgentError("RECEIPT_INVALID", `receipt does not follow the protocol (${firstError(receiptValidator, raw)})`);
  }
  return {
    logIndex: raw.logIndex,
    leafHash: hexBytes(raw.leafHash, 32, "receipt.leafHash", "RECEIPT_INVALID"),
    leaf: raw.leaf,
    treeSize: raw.treeSize,
    rootHash: hexBytes(raw.rootHash, 32, "receipt.rootHash", "RECEIPT_INVALID"),
    inclusionProof: raw.inclusionProof.map((node, index) => hexBytes(node, 32, `receipt.inclusionProof[${index}]`, "RECEIPT_INVALID")),
    policyBlock: { number: raw.policyBlock.number, hash: raw.policyBlock.hash.toLowerCase() as `0x${string}` },
    kms: raw.kms as `0x${string}`,
    signature: raw.signature as `0x${string}`,
  };
}

/**
 * The KMS's `{ errorCode, message?, reason? }`, or undefined when the body is not one. A
 * malformed `reason` is dropped on its own: the refusal and its code still stand.
 */
export function decodeErrorBody(body: unknown): KmsErrorBody | undefined {
  if (!errorBodyValidator.Check(body)) return undefined;
  const reason: unknown = (body as { reason?: unknown }).reason;
  return {
    errorCode: body.errorCode,
    ...(body.message === undefined ? {} : { message: body.message }),
    ...(refusalReasonValidator.Check(reason) ? { reason } : {}),
  };
}

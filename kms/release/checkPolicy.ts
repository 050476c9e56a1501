import type { Address } from "viem";
import { toHex } from "../../core/bytes";
import type { TcbStatus } from "../../core/attestation/types";
import { TCB_STATUS_BITS } from "../../core/contracts/typedData";
import { KmsError } from "../errors";
import type { PolicyBlock } from "../policy/policyBlock";
import type { PolicyReader } from "../policy/policyReader";

/**
 * Steps 5 and 6 of docs/protocol.md, read at the policy block:
 * 5. the platform hash is allowed (PLATFORM_NOT_ALLOWED), then the TCB status
 *    (TCB_STATUS_NOT_ALLOWED; `Revoked` has no bit and is never allowed);
 * 6. the compose hash is an active, unrevoked release of the app
 *    (COMPOSE_HASH_NOT_ALLOWED with reason not-approved / not-yet-active / revoked / unknown-app).
 */
/**
 * The KMS's own precondition, read at the same policy block as the request's checks: its
 * identity must be registered in PlatformPolicy. Otherwise its receipts would be signed by a
 * key no verifier accepts (agents refuse them, `audit log` flags every such leaf) and its
 * checkpoints could not be anchored, so it releases nothing: 503 KMS_NOT_REGISTERED until
 * governance registers it (and again if governance removes it). Agents retry a 503.
 */
export async function assertKmsRegistered(reader: PolicyReader, block: PolicyBlock, kms: Address): Promise<void> {
  if (!(await reader.isKmsIdentity(block, kms))) {
    throw new KmsError("KMS_NOT_REGISTERED", `this KMS's identity ${kms} is not registered in PlatformPolicy at block ${block.number}; nothing was released`);
  }
}

export async function checkPlatform(reader: PolicyReader, block: PolicyBlock, platformHash: Uint8Array, status: TcbStatus): Promise<void> {
  if (!(await reader.isPlatformHashAllowed(block, platformHash))) {
    throw new KmsError("PLATFORM_NOT_ALLOWED", `platform hash ${toHex(platformHash)} is not allowed at block ${block.number}`);
  }
  await checkTcbStatus(reader, block, status);
}

export async function checkTcbStatus(reader: PolicyReader, block: PolicyBlock, status: TcbStatus): Promise<void> {
  const bit = status === "Revoked" ? undefined : TCB_STATUS_BITS[status];
  if (bit === undefined || !(await reader.isTcbStatusAllowed(block, bit))) {
    throw new KmsError("TCB_STATUS_NOT_ALLOWED", `TCB status ${status} is not allowed at block ${block.number}`);
  }
}

const REASON_TEXT = {
  "not-approved": "was never approved",
  "not-yet-active": "is approved but its notice period has not passed",
  revoked: "was revoked",
  "unknown-app": "belongs to no registered app",
} as const;

export async function checkRelease(reader: PolicyReader, block: PolicyBlock, appId: Uint8Array, composeHash: Uint8Array): Promise<void> {
  const decision = await reader.releaseDecision(block, appId, composeHash);
  if (decision.allowed) return;
  throw new KmsError(
    "COMPOSE_HASH_NOT_ALLOWED",
    `compose hash ${toHex(composeHash)} of app 0x${toHex(appId)} ${REASON_TEXT[decision.reason]} at block ${block.number}`,
    { details: { reason: decision.reason } },
  );
}

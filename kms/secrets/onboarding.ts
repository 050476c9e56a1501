import { concatBytes, isAllZero, utf8 } from "../../core/bytes";
import { addressBytes, u64be } from "../../core/crypto/encoding";
import { openFromKms, sealToAgent, type HpkeKeyPair, type SealedEnvelope } from "../../core/crypto/hpke";
import { SecretError } from "./errors";
import { ROOT_SECRET_SIZE } from "./sandboxSecretFile";

/**
 * Attested onboarding moves the root secret from a serving KMS to a joining one, sealed with
 * HPKE to the X25519 key that the joiner's quote binds (`onboardingReportData`).
 *
 * Domain separation: the envelope's aad is the constant "basekms/root-secret/v1", and the
 * info below starts with its own label, so a key-release envelope can never be opened as a
 * root secret, nor the reverse, even if every other field matched.
 */
const ROOT_SECRET_AAD = utf8("basekms/root-secret/v1");
const ONBOARDING_LABEL = utf8("basekms/kms-onboarding-seal/v1");

export interface OnboardingSealInfoContext {
  chainId: bigint | number;
  /** The contract holding the KMS allowlist (`0x` + 40 hex). */
  contract: `0x${string}`;
  /** The release log index of the onboarding entry. */
  logIndex: bigint | number;
}

/**
 * HPKE info for an onboarding envelope (big-endian integers):
 *
 * ```text
 * offset  size  field
 *      0    30  "basekms/kms-onboarding-seal/v1" (ASCII)
 *     30     8  chainId     u64be
 *     38    20  contract    address
 *     58     8  logIndex    u64be
 * ```
 */
export function onboardingSealInfo(context: OnboardingSealInfoContext): Uint8Array {
  return concatBytes(
    ONBOARDING_LABEL,
    u64be(context.chainId, "chainId"),
    addressBytes(context.contract, "contract"),
    u64be(context.logIndex, "logIndex"),
  );
}

export async function sealRootSecretForOnboarding(
  rootSecret: Uint8Array,
  newKmsHpkePublicKey: Uint8Array,
  info: Uint8Array,
): Promise<SealedEnvelope> {
  assertRootSecret(rootSecret, "root secret to seal");
  try {
    return await sealToAgent(newKmsHpkePublicKey, rootSecret, info, ROOT_SECRET_AAD);
  } catch (error) {
    throw new SecretError("ONBOARDING_SEAL_FAILED", "could not seal the root secret to the joining KMS", { cause: error });
  }
}

export async function openOnboardedRootSecret(
  keyPair: HpkeKeyPair,
  sealed: SealedEnvelope,
  info: Uint8Array,
): Promise<Uint8Array> {
  let rootSecret: Uint8Array;
  try {
    rootSecret = await openFromKms(keyPair, sealed, info, ROOT_SECRET_AAD);
  } catch (error) {
    throw new SecretError("ONBOARDING_OPEN_FAILED", "the onboarding envelope did not open", { cause: error });
  }
  assertRootSecret(rootSecret, "onboarded root secret");
  return rootSecret;
}

function assertRootSecret(secret: Uint8Array, what: string): void {
  if (!(secret instanceof Uint8Array) || secret.length !== ROOT_SECRET_SIZE || isAllZero(secret)) {
    throw new SecretError("ROOT_SECRET_INVALID", `${what} must be ${ROOT_SECRET_SIZE} non-zero bytes`);
  }
}

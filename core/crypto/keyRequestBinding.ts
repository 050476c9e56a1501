import { createHash } from "node:crypto";
import { bytesEqual, utf8 } from "../bytes";
import { exactBytes } from "./encoding";
import { CryptoError } from "./errors";
import { X25519_PUBLIC_KEY_LENGTH } from "./hpke";

/**
 * What a TDX quote's 64-byte `report_data` must hold in each protocol that carries one.
 * Each value is `SHA-512(label ‖ fields)` with a distinct ASCII label and fixed-width fields:
 *
 * ```text
 * keyRequestReportData   = SHA-512("basekms/key-request/v1"    ‖ nonce(32) ‖ agentPublicKey(32))
 * onboardingReportData   = SHA-512("basekms/kms-onboarding/v1" ‖ nonce(32) ‖ kmsPublicKey(32))
 * kmsIdentityReportData  = SHA-512("basekms/kms-identity/v1"   ‖ kmsAddress(20))
 * ```
 *
 * No label is a prefix of another and every field is fixed-width, so a quote made for one
 * purpose can never satisfy another (a key-request quote cannot onboard a KMS). The nonce
 * makes a quote single-use; the public key ties the quote to the key the secret is sealed to,
 * so a relayed quote is useless without its private key.
 */
export const REPORT_DATA_LENGTH = 64;
export const NONCE_LENGTH = 32;
export const ETHEREUM_ADDRESS_LENGTH = 20;

const KEY_REQUEST_LABEL = utf8("basekms/key-request/v1");
const KMS_ONBOARDING_LABEL = utf8("basekms/kms-onboarding/v1");
const KMS_IDENTITY_LABEL = utf8("basekms/kms-identity/v1");

function labelledSha512(label: Uint8Array, ...fields: Uint8Array[]): Uint8Array {
  const hash = createHash("sha512").update(label);
  for (const field of fields) hash.update(field);
  return new Uint8Array(hash.digest());
}

function publicKeyField(publicKey: unknown, field: string): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_PUBLIC_KEY_LENGTH) {
    throw new CryptoError("KEY_INVALID", `${field} must be a ${X25519_PUBLIC_KEY_LENGTH}-byte X25519 public key`);
  }
  return publicKey;
}

/** report_data an agent's quote carries when it asks for its disk key. */
export function keyRequestReportData(nonce: Uint8Array, agentPublicKey: Uint8Array): Uint8Array {
  return labelledSha512(
    KEY_REQUEST_LABEL,
    exactBytes(nonce, NONCE_LENGTH, "nonce"),
    publicKeyField(agentPublicKey, "agentPublicKey"),
  );
}

/** report_data a joining KMS's quote carries when it asks for the root secret. */
export function onboardingReportData(nonce: Uint8Array, kmsPublicKey: Uint8Array): Uint8Array {
  return labelledSha512(
    KMS_ONBOARDING_LABEL,
    exactBytes(nonce, NONCE_LENGTH, "nonce"),
    publicKeyField(kmsPublicKey, "kmsPublicKey"),
  );
}

/** report_data of a KMS's own quote, binding its Ethereum identity (receipt/checkpoint signer). */
export function kmsIdentityReportData(kmsAddress: Uint8Array): Uint8Array {
  return labelledSha512(KMS_IDENTITY_LABEL, exactBytes(kmsAddress, ETHEREUM_ADDRESS_LENGTH, "kmsAddress"));
}

/**
 * Throws `REPORT_DATA_MISMATCH` unless `reportData` equals `expected`. Report data is public
 * (it is in the quote), so plain byte equality is enough; nothing secret is compared.
 */
export function assertReportData(reportData: Uint8Array, expected: Uint8Array, purpose: string): void {
  if (!(reportData instanceof Uint8Array) || reportData.length !== REPORT_DATA_LENGTH) {
    throw new CryptoError("REPORT_DATA_MISMATCH", `report_data must be ${REPORT_DATA_LENGTH} bytes`);
  }
  if (!bytesEqual(reportData, expected)) {
    throw new CryptoError("REPORT_DATA_MISMATCH", `report_data does not bind the ${purpose}`);
  }
}

export function verifyKeyRequestReportData(
  reportData: Uint8Array,
  nonce: Uint8Array,
  agentPublicKey: Uint8Array,
): void {
  assertReportData(reportData, keyRequestReportData(nonce, agentPublicKey), "key-request nonce and agent key");
}

export function verifyOnboardingReportData(
  reportData: Uint8Array,
  nonce: Uint8Array,
  kmsPublicKey: Uint8Array,
): void {
  assertReportData(reportData, onboardingReportData(nonce, kmsPublicKey), "onboarding nonce and KMS key");
}

export function verifyKmsIdentityReportData(reportData: Uint8Array, kmsAddress: Uint8Array): void {
  assertReportData(reportData, kmsIdentityReportData(kmsAddress), "KMS identity address");
}

import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../core/bytes";
import { CryptoError, type CryptoErrorCode } from "../../core/crypto/errors";
import {
  keyRequestReportData,
  kmsIdentityReportData,
  onboardingReportData,
  verifyKeyRequestReportData,
  verifyKmsIdentityReportData,
  verifyOnboardingReportData,
} from "../../core/crypto/keyRequestBinding";

// Expected digests computed independently with Python hashlib.sha512(label + fields).
const NONCE = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);
const PUBLIC_KEY = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
const KMS_ADDRESS = fromHex("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const KEY_REQUEST =
  "c0fe50a6d30ec984cd9e8275447868f5e1679411bb5344d213798fe6b65d44bbeabf28dc6ed0c463d7db101b15784f921cd8f2627525ebb13a1ea9433c709179";
const ONBOARDING =
  "b9f8917c81639b1da9b5c00b4454b0bb49d72ff303008019fdb92f6138ac76616c96837135c8679ab480f0a298d68a42daac1d9c961aef9c7c80d792676b7e0a";
const KMS_IDENTITY =
  "df7ee32ee5ae92b2013c3b697b549b5fdfabd9b10c9009a26529390c1ae98a700566c23345a02c8f9f350897dde4d54f6163de7fca910f74ed72a1ddf5485994";

function expectCode(run: () => unknown, code: CryptoErrorCode): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CryptoError);
  expect((thrown as CryptoError).code).toBe(code);
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

describe("report_data bindings", () => {
  it("key request: SHA-512('basekms/key-request/v1' ‖ nonce ‖ agentPublicKey) matches the vector", () => {
    expect(toHex(keyRequestReportData(NONCE, PUBLIC_KEY))).toBe(KEY_REQUEST);
  });

  it("onboarding: SHA-512('basekms/kms-onboarding/v1' ‖ nonce ‖ kmsPublicKey) matches the vector", () => {
    expect(toHex(onboardingReportData(NONCE, PUBLIC_KEY))).toBe(ONBOARDING);
  });

  it("KMS identity: SHA-512('basekms/kms-identity/v1' ‖ address) matches the vector", () => {
    expect(toHex(kmsIdentityReportData(KMS_ADDRESS))).toBe(KMS_IDENTITY);
  });

  it("separates purposes: the same nonce and key give different key-request and onboarding data", () => {
    expect(toHex(keyRequestReportData(NONCE, PUBLIC_KEY))).not.toBe(toHex(onboardingReportData(NONCE, PUBLIC_KEY)));
  });

  it("verify helpers accept the exact binding", () => {
    verifyKeyRequestReportData(fromHex(KEY_REQUEST), NONCE, PUBLIC_KEY);
    verifyOnboardingReportData(fromHex(ONBOARDING), NONCE, PUBLIC_KEY);
    verifyKmsIdentityReportData(fromHex(KMS_IDENTITY), KMS_ADDRESS);
  });

  it("refuses report_data with REPORT_DATA_MISMATCH when the nonce, key, data or purpose differ", () => {
    const reportData = fromHex(KEY_REQUEST);
    expectCode(() => verifyKeyRequestReportData(reportData, flipped(NONCE, 0), PUBLIC_KEY), "REPORT_DATA_MISMATCH");
    expectCode(() => verifyKeyRequestReportData(reportData, NONCE, flipped(PUBLIC_KEY, 31)), "REPORT_DATA_MISMATCH");
    expectCode(() => verifyKeyRequestReportData(flipped(reportData, 63), NONCE, PUBLIC_KEY), "REPORT_DATA_MISMATCH");
    expectCode(() => verifyOnboardingReportData(reportData, NONCE, PUBLIC_KEY), "REPORT_DATA_MISMATCH");
    expectCode(() => verifyKmsIdentityReportData(fromHex(KMS_IDENTITY), flipped(KMS_ADDRESS, 5)), "REPORT_DATA_MISMATCH");
    expectCode(() => verifyKeyRequestReportData(reportData.subarray(0, 48), NONCE, PUBLIC_KEY), "REPORT_DATA_MISMATCH");
  });

  it("refuses a nonce that is not 32 bytes with INPUT_INVALID", () => {
    expectCode(() => keyRequestReportData(new Uint8Array(31), PUBLIC_KEY), "INPUT_INVALID");
    expectCode(() => onboardingReportData(new Uint8Array(33), PUBLIC_KEY), "INPUT_INVALID");
  });

  it("refuses a public key that is not 32 bytes with KEY_INVALID", () => {
    expectCode(() => keyRequestReportData(NONCE, new Uint8Array(33)), "KEY_INVALID");
    expectCode(() => onboardingReportData(NONCE, new Uint8Array(0)), "KEY_INVALID");
  });

  it("refuses a KMS address that is not 20 bytes with INPUT_INVALID", () => {
    expectCode(() => kmsIdentityReportData(new Uint8Array(32)), "INPUT_INVALID");
  });
});

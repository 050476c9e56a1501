export { CryptoError, type CryptoErrorCode } from "./errors";
export {
  generateAgentKeyPair,
  importAgentKeyPair,
  openFromKms,
  sealToAgent,
  HPKE_ENC_LENGTH,
  HPKE_TAG_LENGTH,
  X25519_PRIVATE_KEY_LENGTH,
  X25519_PUBLIC_KEY_LENGTH,
  type HpkeKeyPair,
  type SealedEnvelope,
} from "./hpke";
export { sealInfo, type SealInfoContext } from "./sealInfo";
export {
  deriveDiskKey,
  diskKeyInfo,
  APP_ID_LENGTH,
  DISK_KEY_LENGTH,
  MAX_INSTANCE_ID_LENGTH,
  ROOT_SECRET_LENGTH,
  type DiskKeyContext,
} from "./keyDerivation";
export {
  assertReportData,
  keyRequestReportData,
  kmsIdentityReportData,
  onboardingReportData,
  verifyKeyRequestReportData,
  verifyKmsIdentityReportData,
  verifyOnboardingReportData,
  ETHEREUM_ADDRESS_LENGTH,
  NONCE_LENGTH,
  REPORT_DATA_LENGTH,
} from "./keyRequestBinding";

export { SecretError, type SecretErrorCode } from "./errors";
export { checkGenesisDataDir, previousKmsState, type CheckGenesisDataDirOptions } from "./genesisDataDir";
export {
  loadOrCreateRootSecret,
  type LoadedRootSecret,
  type LoadRootSecretOptions,
  type SecretLog,
} from "./rootSecret";
export { createSandboxSecretFile, readSandboxSecretFile, ROOT_SECRET_SIZE } from "./sandboxSecretFile";
export {
  createTdxSealedSecretStore,
  TDX_GUEST_DEVICE,
  type SealedSecretStore,
  type TdxSealedSecretStoreOptions,
} from "./sealedSecretStore";
export {
  onboardingSealInfo,
  openOnboardedRootSecret,
  sealRootSecretForOnboarding,
  type OnboardingSealInfoContext,
} from "./onboarding";

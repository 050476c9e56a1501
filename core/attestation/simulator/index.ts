/**
 * The TDX simulator: a development PKI that issues quotes and collateral in Intel's genuine
 * byte and JSON formats, so the one verifier runs in every test and demo.
 *
 * SANDBOX ONLY. Only sandbox code paths may import this folder. Its keys derive from a public
 * seed, so a `sealed` KMS (Intel's root only) must never see it. Nothing here is called by a
 * verifier implicitly: the verifier takes its trusted roots as explicit input, and a sandbox
 * KMS adds the dev root by pinning DEV_ROOT_DER_SHA256.
 */
export {
  DEFAULT_DEV_SEED,
  DEV_ROOT_DER_SHA256,
  createDevPki,
  devRootDer,
  issuePckCrl,
  issueRootCaCrl,
  rootDerSha256,
  type CreateDevPkiOptions,
  type DevCertificate,
  type DevPki,
  type IssueCrlOptions,
} from "./devPki";
export {
  DEFAULT_TCB_EVALUATION_DATA_NUMBER,
  issueCollateral,
  type CollateralValidity,
  type IssueCollateralOptions,
} from "./collateral";
export {
  defaultTcbLevels,
  defaultTdxModule,
  defaultTdxModuleIdentities,
  type SimModuleTcbLevel,
  type SimTcbLevel,
  type SimTdxModule,
  type SimTdxModuleIdentity,
} from "./tcbInfo";
export { type SimQeTcbLevel } from "./qeIdentity";
export { buildQuote, type BuildQuoteOptions } from "./quote";
export { TdxSimulator, type DstackRuntimeEvent, type TdMeasurements, type TdxSimulatorOptions } from "./tdxSimulator";
export { DEV_FMSPC, INTEL_QE_VENDOR_ID, type DevPlatform, type DevQuotingEnclave } from "./platform";
export { SimulatorError, type SimulatorErrorCode } from "./errors";

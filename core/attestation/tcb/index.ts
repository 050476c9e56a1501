export { convergeTcbStatus, mergeAdvisoryIds } from "./convergeTcbStatus";
export {
  type EvaluateTcbParameters,
  type PckTcbFields,
  type TcbEvaluation,
  INTEL_QE_VENDOR_ID,
  evaluateTcb,
} from "./evaluateTcb";
export { type PlatformTcbFields, matchPlatformTcbLevel } from "./matchPlatformTcbLevel";
export { type QeReportFields, type QeTcbMatch, matchQeIdentity } from "./matchQeIdentity";
export { type TdModuleFields, type TdxModuleMatch, matchTdxModule } from "./matchTdxModule";

export {
  type Collateral,
  type CollateralPieces,
  assembleCollateral,
  collateralToJson,
  loadCollateralFile,
  parseCollateralJson,
  serializeCollateral,
} from "./collateral";
export { CollateralCache, type CollateralCacheOptions } from "./collateralCache";
export type { FetchFunction } from "./httpGet";
export { memberValueText } from "./jsonSpan";
export {
  type FetchCollateralParameters,
  type FetchCollateralReturnType,
  type PckCaType,
  fetchCollateral,
} from "./pccs";
export { type QeIdentity, type QeTcbLevel, parseQeIdentity } from "./qeIdentity";
export {
  type TcbInfo,
  type TcbLevel,
  type TdxModule,
  type TdxModuleIdentity,
  type TdxModuleTcbLevel,
  parseTcbInfo,
} from "./tcbInfo";
export { checkCollateralTimes, collateralNextUpdate } from "./validity";

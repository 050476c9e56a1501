/**
 * Maintainer tooling: viem actions over the AppRegistry and PlatformPolicy, each taking the
 * client first (`registerApp(client, params)`), plus signature files and key loading. The CLI
 * (`cli/commands/{app,release,platform}.ts`) is a thin layer over these.
 */
export { connectMaintainerClient, maintainerClientOf, withAccount, type MaintainerClient, type MaintainerWriter } from "./client";
export { MaintainerError, type MaintainerErrorCode } from "./errors";
export { registerApp, type RegisterAppParameters, type RegisterAppReturnType } from "./registerApp";
export { readApp, type ReadAppReturnType, type ReleaseSummary, type ReleaseState } from "./readApp";
export { readAppReleaseEvents, type ReleaseEventRecord } from "./readAppReleaseEvents";
export { prepareReleaseSignature, type PrepareReleaseSignatureParameters } from "./prepareReleaseSignature";
export { prepareAppFreezeSignature, type PrepareAppFreezeSignatureParameters } from "./prepareAppFreezeSignature";
export { signSignatureRequest } from "./signSignatureRequest";
export { verifySignatureFile } from "./verifySignatureFile";
export { checkSignatureRequestIsCurrent } from "./checkSignatureRequestIsCurrent";
export { collectSignatures, type SignatureBundle, type SourcedSignatureFile } from "./collectSignatures";
export { approveRelease, type ApproveReleaseParameters, type ApproveReleaseReturnType } from "./approveRelease";
export { revokeRelease, type RevokeReleaseParameters, type RevokeReleaseReturnType } from "./revokeRelease";
export { freezeApp, type FreezeAppParameters, type FreezeAppReturnType } from "./freezeApp";
export { setPlatformAllowed } from "./setPlatformAllowed";
export { changeAllowedTcbStatuses } from "./changeAllowedTcbStatuses";
export { setKmsMeasurementAllowed } from "./setKmsMeasurementAllowed";
export { registerKmsIdentity } from "./registerKmsIdentity";
export { removeKmsIdentity } from "./removeKmsIdentity";
export { readPlatformPolicy } from "./readPlatformPolicy";
export { parseSignatureFile, serializeSignatureFile, requestKey } from "./signatureFile";
export {
  SIGNATURE_FILE_FORMAT,
  ethSignTypedDataV4Of,
  signingDigestOf,
  typedDataOf,
  type AppFreezeSignatureRequest,
  type ReleaseSignatureRequest,
  type SignatureFile,
  type SignatureRequest,
} from "./signatureRequest";
export { decryptKeystore } from "./keystore";
export { loadSignerAccount, KEYSTORE_PASSWORD_ENV, type KeySourceOptions } from "./signerAccount";
export { parseDuration } from "./duration";
export { parseTcbStatusNames, tcbStatusNamesOf } from "./tcbStatusMask";
export { sendContractWrite, type DecodedEvent, type SentTransaction } from "./sendContractWrite";

/** The KMS service: configuration, the app factory and the server. See docs/kms.md. */
export { loadKmsConfig, type KmsConfig, type KmsFlags, type KmsNetwork } from "./config";
export { buildKmsApp, DEFAULT_BODY_LIMIT, type KmsAppDeps } from "./app";
export { startKms, type RunningKms, type StartKmsOptions } from "./server";
export { KmsError, type KmsErrorCode, type ComposeRefusalReason } from "./errors";
export { HTTP_STATUS_BY_CODE, httpErrorOf, type ErrorBody, type HttpError } from "./httpErrors";
export { joinFromPeer, type JoinFromPeerOptions, type JoinedRootSecret } from "./onboard/joinFromPeer";

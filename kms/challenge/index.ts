export {
  createNonceStore,
  NONCE_SIZE,
  type ConsumeResult,
  type IssuedNonce,
  type NonceStore,
  type NonceStoreOptions,
} from "./nonceStore";

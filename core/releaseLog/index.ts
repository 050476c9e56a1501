/** The release log's shared formats: leaves, checkpoints and receipts (KMS, agent, indexer, audit). */
export { ReleaseLogError, type ReleaseLogErrorCode } from "./errors";
export {
  type KeyReleaseLeaf,
  KeyReleaseLeafSchema,
  LEAF_VERSION,
  MAX_LEAF_BYTES,
  type OnboardingLeaf,
  OnboardingLeafSchema,
  type ReleaseLeaf,
  type ReleaseLeafKind,
  ReleaseLeafSchema,
} from "./leafSchema";
export {
  type EncodedLeaf,
  type KeyReleaseLeafFields,
  type OnboardingLeafFields,
  keyReleaseLeaf,
  onboardingLeaf,
  parseLeaf,
} from "./leaf";
export { type SignedCheckpoint, recoverCheckpointSigner, signCheckpoint, verifyCheckpointSignature } from "./checkpoint";
export { isStrictSignature } from "./typedSignature";

import { BaseError } from "../../core/errors";
import type { RevertExplanation } from "../../core/contracts/explainRevert";

/**
 * Refusals of the maintainer tooling (`basekms app|release|platform`). Usage mistakes (a missing
 * flag, an unset environment variable) are `UsageError`s instead, so the CLI exits 2 for them
 * and 1 for these.
 */
export type MaintainerErrorCode =
  /** The contract refused the call; the message explains the custom error in words. */
  | "CONTRACT_REVERTED"
  /** The transaction was mined but reverted (the state changed after the pre-flight simulation). */
  | "TRANSACTION_REVERTED"
  /** The mined transaction did not emit the event the action promises. */
  | "EVENT_MISSING"
  /** The RPC endpoint failed or answered something unusable. */
  | "RPC_FAILED"
  /** A keystore file is not a V3 keystore JSON. */
  | "KEYSTORE_INVALID"
  /** The keystore uses a KDF, cipher or parameters this tool does not accept. */
  | "KEYSTORE_UNSUPPORTED"
  /** The keystore MAC does not match: a wrong password or a corrupted file. */
  | "KEYSTORE_MAC_MISMATCH"
  /** The keystore's `address` is not the address of the key it holds. */
  | "KEYSTORE_ADDRESS_MISMATCH"
  /** No keystore password: BASEKMS_KEYSTORE_PASSWORD is unset and there is no terminal to ask on. */
  | "KEYSTORE_PASSWORD_MISSING"
  /** A signature file is not a basekms signature file, or its fields contradict each other. */
  | "SIGNATURE_FILE_INVALID"
  /** Signature files that should be submitted together sign different messages. */
  | "SIGNATURE_FILES_DISAGREE"
  /** Two signature files name the same signer. */
  | "SIGNATURE_DUPLICATE_SIGNER"
  /** A signature does not verify for the signer the file names. */
  | "SIGNATURE_INVALID"
  /** The signatures were made for another chain or another AppRegistry than the deployment's. */
  | "SIGNATURE_WRONG_DEPLOYMENT"
  /** The release was approved or revoked since the signatures were made: they sign an old nonce. */
  | "SIGNATURE_NONCE_STALE"
  /** The app's configuration changed since the freeze signatures were made. */
  | "SIGNATURE_CONFIG_VERSION_STALE"
  /** The signed deadline is before the chain's latest block. */
  | "SIGNATURE_DEADLINE_PASSED";

export class MaintainerError extends BaseError<MaintainerErrorCode> {
  /** For CONTRACT_REVERTED: the decoded custom error. */
  readonly revert?: RevertExplanation;

  constructor(code: MaintainerErrorCode, message: string, options?: { cause?: unknown; revert?: RevertExplanation }) {
    super(code, message, options);
    if (options?.revert) this.revert = options.revert;
  }
}

import { BaseError } from "../errors";

/**
 * Why a chain history could not be replayed. Each code names the rule the history broke. A
 * contract never emits such a history, so any of these means missing or forged logs, logs of
 * another deployment, or a contract that did not keep its own rules: an auditor reports it and
 * never guesses around it.
 */
export type PolicyReplayErrorCode =
  /** A log came from neither the AppRegistry nor the PlatformPolicy being replayed. */
  | "REPLAY_LOG_UNKNOWN_ADDRESS"
  /** A log's topics and data do not decode as one of the contracts' events. */
  | "REPLAY_LOG_UNDECODABLE"
  /** A log is pending, removed by a reorg, or has no known block timestamp. */
  | "REPLAY_LOG_INCOMPLETE"
  /** An event is not strictly after the previous one in (block number, log index) order. */
  | "REPLAY_EVENT_OUT_OF_ORDER"
  | "REPLAY_APP_EXISTS"
  | "REPLAY_UNKNOWN_APP"
  | "REPLAY_APP_FROZEN"
  /** A configuration update or freeze names another version than the app's next or current one. */
  | "REPLAY_CONFIG_VERSION_MISMATCH"
  /** A configuration update's notice floor is not the one the contract's rule gives. */
  | "REPLAY_NOTICE_FLOOR_MISMATCH"
  /** An approval's nonce is not the number of earlier approvals of that compose hash. */
  | "REPLAY_RELEASE_NONCE_MISMATCH"
  /** An approval of a compose hash that is approved and not revoked. */
  | "REPLAY_RELEASE_ALREADY_APPROVED"
  /** An approval whose activation is not its block time plus the effective notice period. */
  | "REPLAY_ACTIVATION_MISMATCH"
  /** An approval's signers are not k distinct current signers, or a revoker is not a current signer. */
  | "REPLAY_NOT_AUTHORIZED"
  /** A revocation of a compose hash that is not approved, or already revoked. */
  | "REPLAY_RELEASE_NOT_REVOCABLE"
  /** A recorded time is not the block timestamp of its event. */
  | "REPLAY_TIMESTAMP_MISMATCH"
  /** A governance event names another previous governance than the current one. */
  | "REPLAY_GOVERNANCE_MISMATCH"
  /** A TCB status mask sets a bit above 5. */
  | "REPLAY_INVALID_TCB_MASK"
  /** A KMS identity registered while active, removed while inactive, or checkpointing while inactive. */
  | "REPLAY_KMS_IDENTITY_STATE"
  /** A KMS identity registered with a measurement that was not allowed. */
  | "REPLAY_KMS_MEASUREMENT_NOT_ALLOWED"
  /** A recorded checkpoint's tree size does not grow. */
  | "REPLAY_CHECKPOINT_NOT_GROWING"
  /** A conflict event's recorded root is not the root on record, or equals the conflicting root. */
  | "REPLAY_CHECKPOINT_CONFLICT_MISMATCH";

export class PolicyReplayError extends BaseError<PolicyReplayErrorCode> {}

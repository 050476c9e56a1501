import { BaseError } from "../errors";

/**
 * Every way Merkle tree math can refuse its input. Codes are stable: the KMS maps them to
 * HTTP statuses, the agent and the auditor print them, and tests assert them.
 * - `PROOF_INVALID`: a proof does not lead from the claimed leaf or old root to the root.
 * - `INDEX_OUT_OF_RANGE`: a leaf index is not an integer in `[0, treeSize)`.
 * - `SIZE_INVALID`: a tree size is not a safe non-negative integer, or sizes are out of order.
 * - `HASH_INVALID`: a leaf hash, node or root is not 32 bytes.
 * - `NODE_MISSING`: a node source has no hash for a complete subtree it was asked for.
 */
export type MerkleErrorCode =
  | "PROOF_INVALID"
  | "INDEX_OUT_OF_RANGE"
  | "SIZE_INVALID"
  | "HASH_INVALID"
  | "NODE_MISSING";

export class MerkleError extends BaseError<MerkleErrorCode> {}

/** RFC 6962 / RFC 9162 Merkle tree math: pure functions over `Uint8Array` hashes. */
export { MerkleError, type MerkleErrorCode } from "./errors";
export { HASH_SIZE, emptyRoot, leafHash, nodeHash, sha256 } from "./hash";
export { type NodeSource, type SubtreeRef, rangeHash, rangePieces, rootAt } from "./subtrees";
export {
  type CompletedNode,
  type Frontier,
  frontierAt,
  pushLeaf,
  rootFromFrontier,
  rootFromLeafHashes,
} from "./frontier";
export { consistencyProof, inclusionProof } from "./proofs";
export { rootFromInclusionProof, verifyInclusion } from "./verifyInclusion";
export { verifyConsistency } from "./verifyConsistency";
export { type MemoryTree, createMemoryTree } from "./memoryTree";

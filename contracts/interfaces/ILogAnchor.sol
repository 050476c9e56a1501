// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title ILogAnchor
 * @notice Anchors the signed tree heads (checkpoints) of each KMS identity's release log, an
 * RFC 6962 Merkle tree, on chain. Each KMS identity has its own log; its anchored sizes only grow.
 * @dev The events carry everything needed to rebuild the anchored state without calling a view:
 * the recorded root per (kms, treeSize) and, per kms, the latest recorded size.
 */
interface ILogAnchor {
    /// @notice A checkpoint with `treeSize == 0` was submitted; an empty log has nothing to anchor.
    error LogAnchorEmptyTree();

    /// @notice A checkpoint with a zero root was submitted; zero means "nothing recorded".
    error LogAnchorZeroRoot();

    /// @notice The signature is not a well-formed 65-byte, low-s ECDSA signature.
    error LogAnchorInvalidSignature();

    /// @notice The checkpoint signature recovers to `signer`, which is not an active KMS identity.
    error LogAnchorUnknownKms(address signer);

    /// @notice `kms` already has exactly this root recorded at `treeSize`.
    error LogAnchorCheckpointExists(address kms, uint64 treeSize);

    /// @notice `treeSize` is not larger than the latest size recorded for `kms`.
    error LogAnchorTreeSizeNotGrowing(address kms, uint64 treeSize, uint64 latestTreeSize);

    /**
     * @notice A checkpoint of `kms`'s release log was recorded; it is now the latest one for `kms`.
     */
    event CheckpointRecorded(address indexed kms, uint64 indexed treeSize, bytes32 rootHash);

    /**
     * @notice `kms` signed a root for `treeSize` that differs from the one already recorded.
     * @dev Nothing is recorded. `signature` over (`treeSize`, `conflictingRoot`) together with the
     * recorded checkpoint is public, self-contained proof that the KMS forked its log.
     */
    event CheckpointConflicted(
        address indexed kms,
        uint64 indexed treeSize,
        bytes32 recordedRoot,
        bytes32 conflictingRoot,
        bytes signature
    );

    /**
     * @notice Submits a KMS-signed checkpoint of its release log. Anyone may submit.
     * @dev The signer is recovered from the EIP-712 `Checkpoint(uint64 treeSize,bytes32 rootHash)`
     * signature under this contract's domain.
     *
     * Requirements:
     * - `treeSize` is not zero.
     * - `rootHash` is not zero.
     * - `signature` is a well-formed 65-byte ECDSA signature by an active KMS identity.
     * - No root is recorded for (kms, `treeSize`) yet, or a different one is (a conflict, see below).
     * - `treeSize` is larger than the latest size recorded for the kms.
     *
     * A conflicting root does NOT revert: a revert would erase the evidence. It emits
     * {CheckpointConflicted}, records nothing and returns false.
     *
     * Emits {CheckpointRecorded} or {CheckpointConflicted}.
     * @return recorded True when the checkpoint was recorded, false on a conflict.
     */
    function checkpoint(uint64 treeSize, bytes32 rootHash, bytes calldata signature) external returns (bool recorded);

    /// @notice The root recorded for `kms` at `treeSize`, or zero when none is.
    function checkpointRoot(address kms, uint64 treeSize) external view returns (bytes32 rootHash);

    /// @notice The latest recorded checkpoint of `kms`, or (0, 0) when none is.
    function latestCheckpoint(address kms) external view returns (uint64 treeSize, bytes32 rootHash);

    /// @notice The EIP-712 digest a KMS signs for a checkpoint, under this contract's domain.
    function hashCheckpoint(uint64 treeSize, bytes32 rootHash) external view returns (bytes32 digest);
}

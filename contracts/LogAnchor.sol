// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ILogAnchor} from "./interfaces/ILogAnchor.sol";

/**
 * @title LogAnchor
 * @notice Records the signed tree heads of each KMS identity's release log (an RFC 6962 tree).
 * Only active KMS identities may sign, and each identity's anchored sizes only grow.
 * @dev The inheriting contract owns the KMS identity registry and exposes each identity's first
 * storage slot through {_kmsLogState}. Keeping `active` and `latestTreeSize` packed in that one
 * slot lets a checkpoint check the identity and move its latest size with one cold SLOAD and one
 * warm SSTORE. The EIP-712 domain is the inheriting contract's (it calls the {EIP712} constructor).
 */
abstract contract LogAnchor is ILogAnchor, EIP712 {
    /**
     * @dev The part of a KMS identity the anchor reads and writes. It must be the first member of
     * the inheriting contract's identity record so that both fields share one storage slot.
     */
    struct KmsLogState {
        bool active;
        uint64 latestTreeSize;
    }

    /// @notice EIP-712 typehash of `Checkpoint(uint64 treeSize,bytes32 rootHash)`.
    bytes32 public constant CHECKPOINT_TYPEHASH = keccak256("Checkpoint(uint64 treeSize,bytes32 rootHash)");

    mapping(address kms => mapping(uint64 treeSize => bytes32 rootHash)) private _checkpointRoots;

    /**
     * @inheritdoc ILogAnchor
     * @dev Checks run in this order: empty tree, zero root, signature, identity, existing root
     * (an equal root reverts, a different root is a conflict), growth. A zero `rootHash` is refused
     * because zero is the "nothing recorded" value of {checkpointRoot}; no real tree head is zero.
     */
    function checkpoint(uint64 treeSize, bytes32 rootHash, bytes calldata signature) external returns (bool recorded) {
        if (treeSize == 0) revert LogAnchorEmptyTree();
        if (rootHash == bytes32(0)) revert LogAnchorZeroRoot();

        address kms = _recoverCheckpointSigner(treeSize, rootHash, signature);
        KmsLogState storage state = _kmsLogState(kms);
        (bool active, uint64 latestTreeSize) = (state.active, state.latestTreeSize);
        if (!active) revert LogAnchorUnknownKms(kms);

        bytes32 recordedRoot = _checkpointRoots[kms][treeSize];
        if (recordedRoot != bytes32(0)) {
            if (recordedRoot == rootHash) revert LogAnchorCheckpointExists(kms, treeSize);
            // No revert: the signed conflicting root is the evidence, and it must stay on chain.
            emit CheckpointConflicted(kms, treeSize, recordedRoot, rootHash, signature);
            return false;
        }
        if (treeSize <= latestTreeSize) revert LogAnchorTreeSizeNotGrowing(kms, treeSize, latestTreeSize);

        _checkpointRoots[kms][treeSize] = rootHash;
        state.latestTreeSize = treeSize;
        emit CheckpointRecorded(kms, treeSize, rootHash);
        return true;
    }

    /// @inheritdoc ILogAnchor
    function checkpointRoot(address kms, uint64 treeSize) external view returns (bytes32 rootHash) {
        return _checkpointRoots[kms][treeSize];
    }

    /// @inheritdoc ILogAnchor
    function latestCheckpoint(address kms) external view returns (uint64 treeSize, bytes32 rootHash) {
        treeSize = _kmsLogState(kms).latestTreeSize;
        rootHash = _checkpointRoots[kms][treeSize];
    }

    /// @inheritdoc ILogAnchor
    function hashCheckpoint(uint64 treeSize, bytes32 rootHash) public view returns (bytes32 digest) {
        return _hashTypedDataV4(keccak256(abi.encode(CHECKPOINT_TYPEHASH, treeSize, rootHash)));
    }

    /**
     * @dev The log state (first storage slot) of `kms`'s identity record. For an address that was
     * never registered it must be an all-zero record, so that `active` is false.
     */
    function _kmsLogState(address kms) internal view virtual returns (KmsLogState storage);

    /**
     * @dev Recovers the signer of a checkpoint. A malformed signature (wrong length, high s,
     * bad v, or no recoverable key) reverts {LogAnchorInvalidSignature}; a well-formed signature
     * over other data recovers to some other address, which the identity check then refuses.
     */
    function _recoverCheckpointSigner(
        uint64 treeSize,
        bytes32 rootHash,
        bytes calldata signature
    ) private view returns (address signer) {
        (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecoverCalldata(
            hashCheckpoint(treeSize, rootHash),
            signature
        );
        if (error != ECDSA.RecoverError.NoError) revert LogAnchorInvalidSignature();
        return recovered;
    }
}

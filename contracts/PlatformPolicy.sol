// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IPlatformPolicy} from "./interfaces/IPlatformPolicy.sol";
import {LogAnchor} from "./LogAnchor.sol";

/**
 * @title PlatformPolicy
 * @notice basekms's platform policy and KMS release-log anchor. A governance address maintains the
 * allowed TD platforms, the accepted TCB statuses, the allowed KMS measurements and the registry of
 * KMS identities; registered KMS identities anchor their release logs' checkpoints here.
 * @dev Immutable: no proxy and no owner of the logic. Governance can change policy values only,
 * and every change emits an event carrying the full new value. EIP-712 domain:
 * name "basekms PlatformPolicy", version "1" (readable through ERC-5267 `eip712Domain()`).
 */
contract PlatformPolicy is IPlatformPolicy, LogAnchor {
    /// @notice Bit index of the last TCB status (OutOfDateConfigurationNeeded).
    uint8 public constant MAX_TCB_STATUS = 5;

    /// @notice Mask of every TCB status bit that may be accepted (bits 0..5).
    uint16 public constant TCB_STATUS_MASK_ALL = uint16((1 << (MAX_TCB_STATUS + 1)) - 1);

    /// @notice Accepted TCB statuses at deployment: UpToDate only.
    uint16 public constant INITIAL_TCB_STATUS_MASK = uint16(1);

    /// @dev `log` must stay the first member: {LogAnchor} packs `active` and `latestTreeSize` there.
    struct KmsIdentity {
        KmsLogState log;
        bytes32 quoteHash;
        bytes32 measurement;
    }

    address private _governance;
    uint16 private _allowedTcbStatuses;
    address private _pendingGovernance;
    mapping(bytes32 platformHash => bool) private _allowedPlatforms;
    mapping(bytes32 measurement => bool) private _allowedKmsMeasurements;
    mapping(address kms => KmsIdentity) private _kmsIdentities;

    /// @dev Reverts {PlatformPolicyUnauthorized} unless the caller is the governance.
    modifier onlyGovernance() {
        if (msg.sender != _governance) revert PlatformPolicyUnauthorized(msg.sender);
        _;
    }

    /**
     * @param initialGovernance The first governance address.
     * @dev Requirements:
     * - `initialGovernance` is not the zero address.
     *
     * Emits {GovernanceTransferred} (from the zero address) and {AllowedTcbStatusesChanged} with the
     * initial mask, so that replaying events from deployment rebuilds the whole state.
     */
    constructor(address initialGovernance) EIP712("basekms PlatformPolicy", "1") {
        if (initialGovernance == address(0)) revert PlatformPolicyInvalidGovernance(address(0));
        _governance = initialGovernance;
        emit GovernanceTransferred(address(0), initialGovernance);
        _allowedTcbStatuses = INITIAL_TCB_STATUS_MASK;
        emit AllowedTcbStatusesChanged(INITIAL_TCB_STATUS_MASK);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IPlatformPolicy
    function transferGovernance(address pending) external onlyGovernance {
        _pendingGovernance = pending;
        emit GovernanceTransferStarted(msg.sender, pending);
    }

    /// @inheritdoc IPlatformPolicy
    function acceptGovernance() external {
        address pending = _pendingGovernance;
        // msg.sender is never zero, so a cleared offer (zero) can never be accepted.
        if (msg.sender != pending) revert PlatformPolicyUnauthorized(msg.sender);
        address previous = _governance;
        _governance = pending;
        delete _pendingGovernance;
        emit GovernanceTransferred(previous, pending);
    }

    /// @inheritdoc IPlatformPolicy
    function governance() external view returns (address) {
        return _governance;
    }

    /// @inheritdoc IPlatformPolicy
    function pendingGovernance() external view returns (address) {
        return _pendingGovernance;
    }

    // ---------------------------------------------------------------- platforms and TCB statuses

    /// @inheritdoc IPlatformPolicy
    function setPlatformAllowed(bytes32 platformHash, bool allowed) external onlyGovernance {
        _allowedPlatforms[platformHash] = allowed;
        emit PlatformAllowanceChanged(platformHash, allowed);
    }

    /// @inheritdoc IPlatformPolicy
    function setAllowedTcbStatuses(uint16 mask) external onlyGovernance {
        if (mask & ~TCB_STATUS_MASK_ALL != 0) revert PlatformPolicyInvalidTcbStatusMask(mask);
        _allowedTcbStatuses = mask;
        emit AllowedTcbStatusesChanged(mask);
    }

    /// @inheritdoc IPlatformPolicy
    function isPlatformAllowed(bytes32 platformHash, uint8 tcbStatus) external view returns (bool) {
        return _allowedPlatforms[platformHash] && isTcbStatusAllowed(tcbStatus);
    }

    /// @inheritdoc IPlatformPolicy
    function isPlatformHashAllowed(bytes32 platformHash) external view returns (bool) {
        return _allowedPlatforms[platformHash];
    }

    /// @inheritdoc IPlatformPolicy
    function isTcbStatusAllowed(uint8 tcbStatus) public view returns (bool) {
        if (tcbStatus > MAX_TCB_STATUS) return false;
        return (_allowedTcbStatuses >> tcbStatus) & 1 == 1;
    }

    /// @inheritdoc IPlatformPolicy
    function allowedTcbStatuses() external view returns (uint16) {
        return _allowedTcbStatuses;
    }

    // ---------------------------------------------------------------- KMS measurements and identities

    /// @inheritdoc IPlatformPolicy
    function setKmsMeasurementAllowed(bytes32 measurement, bool allowed) external onlyGovernance {
        _allowedKmsMeasurements[measurement] = allowed;
        emit KmsMeasurementAllowanceChanged(measurement, allowed);
    }

    /// @inheritdoc IPlatformPolicy
    function registerKmsIdentity(address kms, bytes32 quoteHash, bytes32 measurement) external onlyGovernance {
        if (kms == address(0)) revert PlatformPolicyInvalidKmsIdentity(kms);
        KmsIdentity storage identity = _kmsIdentities[kms];
        if (identity.log.active) revert PlatformPolicyKmsIdentityAlreadyActive(kms);
        if (!_allowedKmsMeasurements[measurement]) revert PlatformPolicyKmsMeasurementNotAllowed(measurement);
        // latestTreeSize is kept: a re-registered identity continues its own log.
        identity.log.active = true;
        identity.quoteHash = quoteHash;
        identity.measurement = measurement;
        emit KmsIdentityRegistered(kms, quoteHash, measurement);
    }

    /// @inheritdoc IPlatformPolicy
    function removeKmsIdentity(address kms) external onlyGovernance {
        KmsIdentity storage identity = _kmsIdentities[kms];
        if (!identity.log.active) revert PlatformPolicyKmsIdentityNotActive(kms);
        identity.log.active = false;
        emit KmsIdentityRemoved(kms);
    }

    /// @inheritdoc IPlatformPolicy
    function isKmsMeasurementAllowed(bytes32 measurement) external view returns (bool) {
        return _allowedKmsMeasurements[measurement];
    }

    /// @inheritdoc IPlatformPolicy
    function isKmsIdentity(address kms) external view returns (bool) {
        return _kmsIdentities[kms].log.active;
    }

    /// @inheritdoc IPlatformPolicy
    function getKmsIdentity(
        address kms
    ) external view returns (bool active, bytes32 quoteHash, bytes32 measurement, uint64 latestTreeSize) {
        KmsIdentity storage identity = _kmsIdentities[kms];
        return (identity.log.active, identity.quoteHash, identity.measurement, identity.log.latestTreeSize);
    }

    /// @dev The anchor's view of `kms`: the first slot of its identity record.
    function _kmsLogState(address kms) internal view override returns (KmsLogState storage) {
        return _kmsIdentities[kms].log;
    }
}

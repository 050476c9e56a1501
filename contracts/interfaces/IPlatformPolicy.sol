// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ILogAnchor} from "./ILogAnchor.sol";

/**
 * @title IPlatformPolicy
 * @notice The platform half of basekms's on-chain policy: which TD platforms and TCB statuses an
 * app VM may run on, which KMS builds are allowed, and which KMS identities exist. A governance
 * address (an EOA, a Safe or a timelock) maintains it; the hand-over is two-step.
 * @dev Every change emits an event that carries the full new value, so an auditor rebuilds the
 * state from events alone. The release-log anchor ({ILogAnchor}) lives in the same contract.
 */
interface IPlatformPolicy is ILogAnchor {
    /// @notice `account` may not call this function.
    error PlatformPolicyUnauthorized(address account);

    /// @notice The initial governance address is zero.
    error PlatformPolicyInvalidGovernance(address governance);

    /// @notice `mask` sets a bit above the last TCB status bit (5).
    error PlatformPolicyInvalidTcbStatusMask(uint16 mask);

    /// @notice A KMS identity must be a non-zero address.
    error PlatformPolicyInvalidKmsIdentity(address kms);

    /// @notice `kms` is already an active KMS identity.
    error PlatformPolicyKmsIdentityAlreadyActive(address kms);

    /// @notice `kms` is not an active KMS identity.
    error PlatformPolicyKmsIdentityNotActive(address kms);

    /// @notice A KMS identity may only be registered with an allowed KMS measurement.
    error PlatformPolicyKmsMeasurementNotAllowed(bytes32 measurement);

    /// @notice `previousGovernance` offered governance to `pendingGovernance` (zero cancels an offer).
    event GovernanceTransferStarted(address indexed previousGovernance, address indexed pendingGovernance);

    /// @notice Governance moved to `newGovernance`; no transfer is pending any more.
    event GovernanceTransferred(address indexed previousGovernance, address indexed newGovernance);

    /// @notice `platformHash` is now allowed (`allowed`) or not.
    event PlatformAllowanceChanged(bytes32 indexed platformHash, bool allowed);

    /// @notice The accepted TCB statuses are now exactly the bits of `mask`.
    event AllowedTcbStatusesChanged(uint16 mask);

    /// @notice KMS `measurement` is now allowed (`allowed`) or not.
    event KmsMeasurementAllowanceChanged(bytes32 indexed measurement, bool allowed);

    /// @notice `kms` is an active KMS identity, bound to the quote `quoteHash`, running `measurement`.
    event KmsIdentityRegistered(address indexed kms, bytes32 quoteHash, bytes32 measurement);

    /// @notice `kms` is no longer an active KMS identity.
    event KmsIdentityRemoved(address indexed kms);

    /**
     * @notice Offers governance to `pending`; it takes over when `pending` calls {acceptGovernance}.
     * @dev Until then the current governance keeps full power. A new offer replaces the old one;
     * `pending == address(0)` cancels the offer.
     *
     * Requirements:
     * - The caller is the governance.
     *
     * Emits {GovernanceTransferStarted}.
     */
    function transferGovernance(address pending) external;

    /**
     * @notice Takes governance over. The previous governance loses its power at once.
     *
     * Requirements:
     * - The caller is the pending governance.
     *
     * Emits {GovernanceTransferred}.
     */
    function acceptGovernance() external;

    /**
     * @notice Allows or disallows a TD platform, identified by
     * `platformHash = sha256(MRTD ‖ RTMR0 ‖ RTMR1 ‖ RTMR2)` (computed off chain).
     *
     * Requirements:
     * - The caller is the governance.
     *
     * Emits {PlatformAllowanceChanged}.
     */
    function setPlatformAllowed(bytes32 platformHash, bool allowed) external;

    /**
     * @notice Sets the accepted TCB statuses. Bit i accepts the status with index i:
     * 0 UpToDate, 1 SWHardeningNeeded, 2 ConfigurationNeeded, 3 ConfigurationAndSWHardeningNeeded,
     * 4 OutOfDate, 5 OutOfDateConfigurationNeeded. Revoked has no bit and is never accepted.
     * A zero mask accepts no status at all.
     *
     * Requirements:
     * - The caller is the governance.
     * - `mask` sets no bit above 5.
     *
     * Emits {AllowedTcbStatusesChanged}.
     */
    function setAllowedTcbStatuses(uint16 mask) external;

    /**
     * @notice Allows or disallows a KMS measurement (defined off chain by the KMS).
     * @dev Disallowing a measurement does not remove the identities registered with it; remove
     * them with {removeKmsIdentity}.
     *
     * Requirements:
     * - The caller is the governance.
     *
     * Emits {KmsMeasurementAllowanceChanged}.
     */
    function setKmsMeasurementAllowed(bytes32 measurement, bool allowed) external;

    /**
     * @notice Registers `kms` (the Ethereum address of a KMS instance's identity key) as an active
     * KMS identity, bound to the hash of the quote that attests it.
     * @dev A removed identity may be registered again; its anchored checkpoints are kept, so its
     * log must keep growing from the latest anchored size.
     *
     * Requirements:
     * - The caller is the governance.
     * - `kms` is not the zero address and is not an active identity.
     * - `measurement` is an allowed KMS measurement.
     *
     * Emits {KmsIdentityRegistered}.
     */
    function registerKmsIdentity(address kms, bytes32 quoteHash, bytes32 measurement) external;

    /**
     * @notice Removes the active KMS identity `kms`; it can no longer anchor checkpoints.
     *
     * Requirements:
     * - The caller is the governance.
     * - `kms` is an active identity.
     *
     * Emits {KmsIdentityRemoved}.
     */
    function removeKmsIdentity(address kms) external;

    /// @notice The current governance address.
    function governance() external view returns (address);

    /// @notice The address that may accept governance, or zero when no transfer is pending.
    function pendingGovernance() external view returns (address);

    /// @notice True when `platformHash` is allowed AND `tcbStatus`'s bit is accepted.
    function isPlatformAllowed(bytes32 platformHash, uint8 tcbStatus) external view returns (bool);

    /// @notice True when `platformHash` is allowed (whatever the TCB status).
    function isPlatformHashAllowed(bytes32 platformHash) external view returns (bool);

    /// @notice True when the TCB status with bit index `tcbStatus` is accepted; false above 5.
    function isTcbStatusAllowed(uint8 tcbStatus) external view returns (bool);

    /// @notice The accepted TCB statuses as a bit mask.
    function allowedTcbStatuses() external view returns (uint16);

    /// @notice True when KMS `measurement` is allowed.
    function isKmsMeasurementAllowed(bytes32 measurement) external view returns (bool);

    /// @notice True when `kms` is an active KMS identity.
    function isKmsIdentity(address kms) external view returns (bool);

    /**
     * @notice The registry entry of `kms`. A removed identity keeps its last quote hash,
     * measurement and anchored size, with `active == false`.
     */
    function getKmsIdentity(
        address kms
    ) external view returns (bool active, bytes32 quoteHash, bytes32 measurement, uint64 latestTreeSize);
}

// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title IAppRegistry
 * @dev Apps, their k-of-n release signers, and the compose hashes those signers approved.
 *
 * An app is a set of release signers, a threshold k and a notice period. A release approves one
 * compose hash for one app: k signers approve it, each with an EIP-712 signature or by sending the
 * transaction itself, anyone submits the bundle, and it becomes allowed once the notice period has
 * passed. Lowering the notice period does not shorten the notice for approvals made while the old
 * one would still have applied. Any single signer may revoke a release at once. Changing the
 * signers, the threshold or the notice period, and freezing the app, need k approvals as well.
 * Every state change emits an event that carries all of the new state, so an auditor can rebuild
 * the registry from events alone.
 *
 * EIP-712 domain: name "basekms AppRegistry", version "1", the chain id and this contract's
 * address (readable through ERC-5267 `eip712Domain()`). The struct types must equal
 * `core/contracts/typedData.ts` byte for byte.
 */
interface IAppRegistry {
    /// @dev One co-signature: the signer's address and its signature over the EIP-712 digest.
    /// An EOA signs with ECDSA (65 bytes); a contract wallet answers ERC-1271 `isValidSignature`.
    struct SignerSignature {
        address signer;
        bytes signature;
    }

    // ---------------------------------------------------------------- errors

    /// @dev No app with this id was registered.
    error AppRegistryUnknownApp(bytes20 appId);

    /// @dev The app is frozen: nothing about it can change any more.
    error AppRegistryAppFrozen(bytes20 appId);

    /// @dev A signer list is empty or longer than `MAX_SIGNERS`.
    error AppRegistryInvalidSignerCount(uint256 count);

    /// @dev A signer list contains the zero address.
    error AppRegistryZeroAddressSigner();

    /// @dev A signer list, or a signature bundle, names the same signer twice; or the bundle names
    /// `msg.sender`, which already counts as an approval because it is a signer.
    error AppRegistryDuplicateSigner(address signer);

    /// @dev The threshold is zero or larger than the number of signers.
    error AppRegistryInvalidThreshold(uint8 threshold, uint256 signerCount);

    /// @dev The notice period is longer than `MAX_NOTICE_PERIOD`.
    error AppRegistryNoticePeriodTooLong(uint64 noticePeriod, uint64 maxNoticePeriod);

    /// @dev The signed message's deadline is in the past.
    error AppRegistryDeadlineExpired(uint64 deadline);

    /// @dev The signatures in a bundle are not sorted by strictly ascending signer address.
    error AppRegistrySignersNotSorted();

    /// @dev `account` is not a signer of the app's current configuration.
    error AppRegistryNotASigner(bytes20 appId, address account);

    /// @dev The signature does not verify for `signer` (ECDSA for an EOA, ERC-1271 for a contract).
    error AppRegistryInvalidSignature(address signer);

    /// @dev Fewer approvals than the app's threshold: `have` counts the signatures, plus one when
    /// `msg.sender` is a current signer.
    error AppRegistryInsufficientSignatures(uint256 have, uint256 need);

    /// @dev The compose hash is already approved and not revoked (pending or active).
    error AppRegistryReleaseAlreadyApproved(bytes20 appId, bytes32 composeHash);

    /// @dev The compose hash was never approved for this app.
    error AppRegistryReleaseNotApproved(bytes20 appId, bytes32 composeHash);

    /// @dev The compose hash's latest approval was already revoked.
    error AppRegistryReleaseAlreadyRevoked(bytes20 appId, bytes32 composeHash);

    // ---------------------------------------------------------------- events

    /**
     * @dev An app was registered with configuration version 1.
     * @param appId the new app id.
     * @param creator the account that called {registerApp}; it has no special power.
     * @param signers the release signers, in the order given.
     * @param threshold how many signers must co-sign a release, a config update or a freeze.
     * @param noticePeriod seconds between approval and activation of a release.
     */
    event AppRegistered(
        bytes20 indexed appId,
        address indexed creator,
        address[] signers,
        uint8 threshold,
        uint64 noticePeriod
    );

    /**
     * @dev A compose hash was approved. Its release record is now
     * `(activatesAt, revokedAt = 0, nonce + 1)`.
     * @param nonce the nonce the signers signed: the number of earlier approvals of this compose hash.
     * @param activatesAt the time from which {isReleaseAllowed} answers true: the block timestamp plus
     * the effective notice period (see {effectiveNoticePeriod}).
     * @param signers the approvers, in ascending address order: the bundle's signers and, when it is
     * a current signer, the sender.
     */
    event ReleaseApproved(
        bytes20 indexed appId,
        bytes32 indexed composeHash,
        bytes32 metadataDigest,
        uint64 activatesAt,
        uint32 nonce,
        address[] signers
    );

    /// @dev A release was revoked by one signer; it is refused from `revokedAt` on.
    event ReleaseRevoked(
        bytes20 indexed appId,
        bytes32 indexed composeHash,
        address indexed revoker,
        uint64 revokedAt
    );

    /**
     * @dev The app's configuration was replaced; `configVersion` is the new version. Signers of
     * earlier versions lost their power with this event.
     * @param previousNoticePeriod the notice floor stored with this configuration: until
     * `previousNoticeUntil`, approvals get at least this notice (see {getNoticeFloor}). It is the
     * stored value, which may already have expired; it is zero until a lowering update sets it.
     * @param previousNoticeUntil the timestamp from which the floor no longer applies.
     */
    event AppConfigUpdated(
        bytes20 indexed appId,
        uint64 configVersion,
        address[] signers,
        uint8 threshold,
        uint64 noticePeriod,
        uint64 previousNoticePeriod,
        uint64 previousNoticeUntil
    );

    /// @dev The app was frozen for ever at `configVersion`.
    event AppFrozen(bytes20 indexed appId, uint64 configVersion);

    // ---------------------------------------------------------------- writes

    /**
     * @dev Registers a new app and returns its id,
     * `bytes20(keccak256(abi.encode(block.chainid, address(this), appCount)))` after the count is
     * incremented. Anyone may register; the caller gets no special power.
     *
     * Requirements:
     * - `signers` holds 1 to `MAX_SIGNERS` addresses, none of them zero, no duplicates.
     * - `1 <= threshold <= signers.length`.
     * - `noticePeriod <= MAX_NOTICE_PERIOD`.
     *
     * Emits an {AppRegistered} event.
     */
    function registerApp(
        address[] calldata signers,
        uint8 threshold,
        uint64 noticePeriod
    ) external returns (bytes20 appId);

    /**
     * @dev Approves `composeHash` for `appId` with k approvals. `msg.sender` counts as one when it is
     * a current signer; every other approver signs the EIP-712 struct
     * `Release(bytes20 appId,bytes32 composeHash,bytes32 metadataDigest,uint32 nonce,uint64 deadline)`,
     * where `nonce` is the release record's current nonce. Anyone may submit the bundle. The release
     * becomes allowed at `block.timestamp + effectiveNoticePeriod(appId)`.
     *
     * Requirements:
     * - the app exists and is not frozen.
     * - `block.timestamp <= deadline`.
     * - the compose hash is not currently approved-and-unrevoked.
     * - at least `threshold` approvals: the signatures, plus the sender when it is a current signer.
     * - signatures sorted by strictly ascending signer address; a signer-sender not among them.
     * - every signer is a signer of the current configuration and its signature is valid.
     *
     * Emits a {ReleaseApproved} event.
     */
    function approveRelease(
        bytes20 appId,
        bytes32 composeHash,
        bytes32 metadataDigest,
        uint64 deadline,
        SignerSignature[] calldata signatures
    ) external;

    /**
     * @dev Revokes a release at once. One signer suffices: revocation is the safe direction.
     * A pending (not yet active) release may be revoked too.
     *
     * Requirements:
     * - the app exists and is not frozen.
     * - `msg.sender` is a signer of the current configuration (an EOA or a contract wallet).
     * - the compose hash is approved and not already revoked.
     *
     * Emits a {ReleaseRevoked} event.
     */
    function revokeRelease(bytes20 appId, bytes32 composeHash) external;

    /**
     * @dev Replaces the app's signers, threshold and notice period, with k approvals of the
     * current configuration (the sender when it is a current signer, and signatures over the
     * EIP-712 struct
     * `AppConfigUpdate(bytes20 appId,address[] signers,uint8 threshold,uint64 noticePeriod,uint64 configVersion,uint64 deadline)`,
     * where `configVersion` is the current version). The version is incremented, so the old
     * signers lose their power at once and the bundle cannot be replayed. Releases keep their
     * records; pending releases keep their `activatesAt`.
     *
     * A higher notice period applies at once. A lower one does not shorten the notice: until the
     * replaced notice period has passed since this update, approvals still get the replaced period
     * (and any earlier floor that still applies). See {getNoticeFloor}.
     *
     * Requirements:
     * - the app exists and is not frozen.
     * - `block.timestamp <= deadline`.
     * - the new configuration obeys the rules of {registerApp}.
     * - at least `threshold` (current) approvals, with the same rules as {approveRelease}.
     *
     * Emits an {AppConfigUpdated} event.
     */
    function updateAppConfig(
        bytes20 appId,
        address[] calldata newSigners,
        uint8 newThreshold,
        uint64 newNoticePeriod,
        uint64 deadline,
        SignerSignature[] calldata signatures
    ) external;

    /**
     * @dev Freezes the app for ever, with k approvals (the sender when it is a current signer, and
     * signatures over the EIP-712 struct `AppFreeze(bytes20 appId,uint64 configVersion,uint64 deadline)`). A frozen app is a sealed
     * oracle: no release can be approved or revoked, and the configuration cannot change, by
     * anyone. Existing releases keep their state, so pending releases still activate on time.
     *
     * Requirements:
     * - the app exists and is not frozen.
     * - `block.timestamp <= deadline`.
     * - at least `threshold` approvals, with the same rules as {approveRelease}.
     *
     * Emits an {AppFrozen} event.
     */
    function freezeApp(bytes20 appId, uint64 deadline, SignerSignature[] calldata signatures) external;

    // ---------------------------------------------------------------- views

    /// @dev True when the compose hash is approved, not revoked, and `block.timestamp >= activatesAt`.
    /// False for an unknown app.
    function isReleaseAllowed(bytes20 appId, bytes32 composeHash) external view returns (bool);

    /// @dev The release record; all zero when the compose hash was never approved.
    /// `nonce` counts the approvals so far and is the nonce the next approval must sign.
    function getRelease(
        bytes20 appId,
        bytes32 composeHash
    ) external view returns (uint64 activatesAt, uint64 revokedAt, uint32 nonce);

    /**
     * @dev The app's current configuration.
     *
     * Requirements:
     * - the app exists.
     */
    function getApp(
        bytes20 appId
    )
        external
        view
        returns (address[] memory signers, uint8 threshold, uint64 noticePeriod, uint64 configVersion, bool frozen);

    /**
     * @dev The notice floor left by lowering updates: approvals get at least `previousNoticePeriod`
     * while `block.timestamp < previousNoticeUntil`. Both are zero until a lowering update.
     *
     * Requirements:
     * - the app exists.
     */
    function getNoticeFloor(
        bytes20 appId
    ) external view returns (uint64 previousNoticePeriod, uint64 previousNoticeUntil);

    /**
     * @dev The notice period an approval in the current block gets: the larger of `noticePeriod`
     * and the notice floor while it applies.
     *
     * Requirements:
     * - the app exists.
     */
    function effectiveNoticePeriod(bytes20 appId) external view returns (uint64);

    /// @dev True when `account` is a signer of the app's current configuration.
    function isSigner(bytes20 appId, address account) external view returns (bool);

    /// @dev The number of apps registered so far.
    function appCount() external view returns (uint256);

    /// @dev The EIP-712 digest a signer signs to approve a release with the given nonce.
    function hashRelease(
        bytes20 appId,
        bytes32 composeHash,
        bytes32 metadataDigest,
        uint32 nonce,
        uint64 deadline
    ) external view returns (bytes32);

    /// @dev The EIP-712 digest a signer signs to move the app from `configVersion` to a new configuration.
    function hashAppConfigUpdate(
        bytes20 appId,
        address[] calldata signers,
        uint8 threshold,
        uint64 noticePeriod,
        uint64 configVersion,
        uint64 deadline
    ) external view returns (bytes32);

    /// @dev The EIP-712 digest a signer signs to freeze the app at `configVersion`.
    function hashAppFreeze(bytes20 appId, uint64 configVersion, uint64 deadline) external view returns (bytes32);
}

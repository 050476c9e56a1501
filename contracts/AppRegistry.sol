// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAppRegistry} from "./interfaces/IAppRegistry.sol";

/**
 * @title AppRegistry
 * @dev Immutable registry of apps and their k-of-n approved releases. No owner, no admin, no
 * proxy: only each app's own signers can change that app. See {IAppRegistry} and
 * docs/contracts-app-registry.md.
 *
 * Storage is laid out for a cheap approval: one app slot, one membership slot per approver and one
 * release slot are read, and only the release slot is written. A current signer that sends the
 * transaction itself counts as one approval without a signature, which is the cheapest path.
 */
contract AppRegistry is IAppRegistry, EIP712 {
    /// @dev Largest signer set; keeps every loop and the `uint8` counters bounded.
    uint256 public constant MAX_SIGNERS = 32;

    /// @dev Longest notice period, one year.
    uint64 public constant MAX_NOTICE_PERIOD = 365 days;

    /// @dev EIP-712 typehashes; each equals `keccak256(encodeType)` of the same struct in
    /// core/contracts/typedData.ts (the tests check it).
    bytes32 public constant RELEASE_TYPEHASH =
        keccak256("Release(bytes20 appId,bytes32 composeHash,bytes32 metadataDigest,uint32 nonce,uint64 deadline)");

    bytes32 public constant APP_CONFIG_UPDATE_TYPEHASH =
        keccak256(
            "AppConfigUpdate(bytes20 appId,address[] signers,uint8 threshold,uint64 noticePeriod,uint64 configVersion,uint64 deadline)"
        );

    bytes32 public constant APP_FREEZE_TYPEHASH =
        keccak256("AppFreeze(bytes20 appId,uint64 configVersion,uint64 deadline)");

    /// @dev One storage slot per app (8 + 4 + 4 + 8 + 1 + 1 + 1 + 1 = 28 bytes). Notice periods fit
    /// in 32 bits because they are at most `MAX_NOTICE_PERIOD`. `previousNoticePeriod` is the notice
    /// floor a lowering update left behind: approvals get at least that notice until
    /// `previousNoticeUntil` (see {_effectiveNoticePeriod}).
    struct App {
        uint64 configVersion;
        uint32 noticePeriod;
        uint32 previousNoticePeriod;
        uint64 previousNoticeUntil;
        uint8 threshold;
        uint8 signerCount;
        bool frozen;
        bool exists;
    }

    /// @dev One storage slot per (app, compose hash). `nonce` counts approvals, so a signed bundle
    /// is good for exactly one approval, even after the release is revoked.
    struct Release {
        uint64 activatesAt;
        uint64 revokedAt;
        uint32 nonce;
    }

    uint256 private _appCount;
    mapping(bytes20 appId => App) private _apps;
    /// @dev Membership is keyed by config version, so a rotation retires every old signer
    /// without a loop over the old set.
    mapping(bytes20 appId => mapping(uint64 configVersion => mapping(address account => bool))) private _isSigner;
    mapping(bytes20 appId => mapping(uint64 configVersion => address[])) private _signerLists;
    mapping(bytes20 appId => mapping(bytes32 composeHash => Release)) private _releases;

    constructor() EIP712("basekms AppRegistry", "1") {}

    // ---------------------------------------------------------------- writes

    /// @inheritdoc IAppRegistry
    function registerApp(
        address[] calldata signers,
        uint8 threshold,
        uint64 noticePeriod
    ) external returns (bytes20 appId) {
        _checkConfig(signers, threshold, noticePeriod);
        appId = bytes20(keccak256(abi.encode(block.chainid, address(this), ++_appCount)));
        _apps[appId] = App({
            configVersion: 1,
            noticePeriod: uint32(noticePeriod),
            previousNoticePeriod: 0,
            previousNoticeUntil: 0,
            threshold: threshold,
            signerCount: uint8(signers.length),
            frozen: false,
            exists: true
        });
        _storeSigners(appId, 1, signers);
        emit AppRegistered(appId, msg.sender, signers, threshold, noticePeriod);
    }

    /// @inheritdoc IAppRegistry
    function approveRelease(
        bytes20 appId,
        bytes32 composeHash,
        bytes32 metadataDigest,
        uint64 deadline,
        SignerSignature[] calldata signatures
    ) external {
        App memory app = _writableApp(appId, deadline);
        Release storage release = _releases[appId][composeHash];
        uint32 nonce = release.nonce;
        if (nonce != 0 && release.revokedAt == 0) revert AppRegistryReleaseAlreadyApproved(appId, composeHash);

        // With no signatures there is nothing to verify: skip the EIP-712 hashing.
        bytes32 digest = signatures.length == 0
            ? bytes32(0)
            : _releaseDigest(appId, composeHash, metadataDigest, nonce, deadline);
        address[] memory approvers = _checkApprovals(appId, app, digest, signatures);

        uint64 activatesAt = uint64(block.timestamp) + _effectiveNoticePeriod(app);
        _storeApprovedRelease(release, activatesAt, nonce + 1);
        emit ReleaseApproved(appId, composeHash, metadataDigest, activatesAt, nonce, approvers);
    }

    /// @inheritdoc IAppRegistry
    function revokeRelease(bytes20 appId, bytes32 composeHash) external {
        App memory app = _existingApp(appId);
        if (app.frozen) revert AppRegistryAppFrozen(appId);
        if (!_isSigner[appId][app.configVersion][msg.sender]) revert AppRegistryNotASigner(appId, msg.sender);
        Release storage release = _releases[appId][composeHash];
        if (release.nonce == 0) revert AppRegistryReleaseNotApproved(appId, composeHash);
        if (release.revokedAt != 0) revert AppRegistryReleaseAlreadyRevoked(appId, composeHash);

        uint64 revokedAt = uint64(block.timestamp);
        release.revokedAt = revokedAt;
        emit ReleaseRevoked(appId, composeHash, msg.sender, revokedAt);
    }

    /// @inheritdoc IAppRegistry
    function updateAppConfig(
        bytes20 appId,
        address[] calldata newSigners,
        uint8 newThreshold,
        uint64 newNoticePeriod,
        uint64 deadline,
        SignerSignature[] calldata signatures
    ) external {
        App memory app = _writableApp(appId, deadline);
        _checkConfig(newSigners, newThreshold, newNoticePeriod);
        bytes32 digest = _appConfigUpdateDigest(
            appId,
            newSigners,
            newThreshold,
            newNoticePeriod,
            app.configVersion,
            deadline
        );
        _checkApprovals(appId, app, digest, signatures);

        (uint32 previousNoticePeriod, uint64 previousNoticeUntil) = _noticeFloorAfterUpdate(app, newNoticePeriod);
        uint64 newVersion = app.configVersion + 1;
        _apps[appId] = App({
            configVersion: newVersion,
            noticePeriod: uint32(newNoticePeriod),
            previousNoticePeriod: previousNoticePeriod,
            previousNoticeUntil: previousNoticeUntil,
            threshold: newThreshold,
            signerCount: uint8(newSigners.length),
            frozen: false,
            exists: true
        });
        _storeSigners(appId, newVersion, newSigners);
        emit AppConfigUpdated(
            appId,
            newVersion,
            newSigners,
            newThreshold,
            newNoticePeriod,
            previousNoticePeriod,
            previousNoticeUntil
        );
    }

    /// @inheritdoc IAppRegistry
    function freezeApp(bytes20 appId, uint64 deadline, SignerSignature[] calldata signatures) external {
        App memory app = _writableApp(appId, deadline);
        bytes32 digest = _appFreezeDigest(appId, app.configVersion, deadline);
        _checkApprovals(appId, app, digest, signatures);

        _apps[appId].frozen = true;
        emit AppFrozen(appId, app.configVersion);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAppRegistry
    function isReleaseAllowed(bytes20 appId, bytes32 composeHash) external view returns (bool) {
        Release memory release = _releases[appId][composeHash];
        return release.nonce != 0 && release.revokedAt == 0 && block.timestamp >= release.activatesAt;
    }

    /// @inheritdoc IAppRegistry
    function getRelease(
        bytes20 appId,
        bytes32 composeHash
    ) external view returns (uint64 activatesAt, uint64 revokedAt, uint32 nonce) {
        Release memory release = _releases[appId][composeHash];
        return (release.activatesAt, release.revokedAt, release.nonce);
    }

    /// @inheritdoc IAppRegistry
    function getApp(
        bytes20 appId
    )
        external
        view
        returns (address[] memory signers, uint8 threshold, uint64 noticePeriod, uint64 configVersion, bool frozen)
    {
        App memory app = _existingApp(appId);
        return (_signerLists[appId][app.configVersion], app.threshold, app.noticePeriod, app.configVersion, app.frozen);
    }

    /// @inheritdoc IAppRegistry
    function getNoticeFloor(
        bytes20 appId
    ) external view returns (uint64 previousNoticePeriod, uint64 previousNoticeUntil) {
        App memory app = _existingApp(appId);
        return (app.previousNoticePeriod, app.previousNoticeUntil);
    }

    /// @inheritdoc IAppRegistry
    function effectiveNoticePeriod(bytes20 appId) external view returns (uint64) {
        return _effectiveNoticePeriod(_existingApp(appId));
    }

    /// @inheritdoc IAppRegistry
    function isSigner(bytes20 appId, address account) external view returns (bool) {
        return _isSigner[appId][_apps[appId].configVersion][account];
    }

    /// @inheritdoc IAppRegistry
    function appCount() external view returns (uint256) {
        return _appCount;
    }

    /// @inheritdoc IAppRegistry
    function hashRelease(
        bytes20 appId,
        bytes32 composeHash,
        bytes32 metadataDigest,
        uint32 nonce,
        uint64 deadline
    ) external view returns (bytes32) {
        return _releaseDigest(appId, composeHash, metadataDigest, nonce, deadline);
    }

    /// @inheritdoc IAppRegistry
    function hashAppConfigUpdate(
        bytes20 appId,
        address[] calldata signers,
        uint8 threshold,
        uint64 noticePeriod,
        uint64 configVersion,
        uint64 deadline
    ) external view returns (bytes32) {
        return _appConfigUpdateDigest(appId, signers, threshold, noticePeriod, configVersion, deadline);
    }

    /// @inheritdoc IAppRegistry
    function hashAppFreeze(bytes20 appId, uint64 configVersion, uint64 deadline) external view returns (bytes32) {
        return _appFreezeDigest(appId, configVersion, deadline);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The app's slot. Requirements: the app exists.
    function _existingApp(bytes20 appId) private view returns (App memory) {
        App memory app = _apps[appId];
        if (!app.exists) revert AppRegistryUnknownApp(appId);
        return app;
    }

    /// @dev The app, if a k-signed change to it may still be made before `deadline`.
    function _writableApp(bytes20 appId, uint64 deadline) private view returns (App memory) {
        App memory app = _apps[appId];
        if (!app.exists) revert AppRegistryUnknownApp(appId);
        if (app.frozen) revert AppRegistryAppFrozen(appId);
        if (block.timestamp > deadline) revert AppRegistryDeadlineExpired(deadline);
        return app;
    }

    /// @dev The count, threshold and notice-period rules of a configuration; zero and duplicate
    /// signers are refused by {_storeSigners}, which sees each address anyway.
    function _checkConfig(address[] calldata signers, uint8 threshold, uint64 noticePeriod) private pure {
        uint256 count = signers.length;
        if (count == 0 || count > MAX_SIGNERS) revert AppRegistryInvalidSignerCount(count);
        if (threshold == 0 || threshold > count) revert AppRegistryInvalidThreshold(threshold, count);
        if (noticePeriod > MAX_NOTICE_PERIOD) revert AppRegistryNoticePeriodTooLong(noticePeriod, MAX_NOTICE_PERIOD);
    }

    /// @dev Writes the signer set of `version`; the membership write doubles as the duplicate check.
    function _storeSigners(bytes20 appId, uint64 version, address[] calldata signers) private {
        mapping(address => bool) storage members = _isSigner[appId][version];
        address[] storage list = _signerLists[appId][version];
        for (uint256 i; i < signers.length; ++i) {
            address signer = signers[i];
            if (signer == address(0)) revert AppRegistryZeroAddressSigner();
            if (members[signer]) revert AppRegistryDuplicateSigner(signer);
            members[signer] = true;
            list.push(signer);
        }
    }

    /**
     * @dev Writes an approved, unrevoked record `{activatesAt, revokedAt: 0, nonce}` with one SSTORE.
     * Assigning the three fields one by one makes the compiler write the slot three times (about
     * 400 gas more). The word follows {Release}'s layout: `activatesAt` in bits 0-63, `revokedAt`
     * in bits 64-127, `nonce` in bits 128-159; the tests read every field back through {getRelease}.
     */
    function _storeApprovedRelease(Release storage release, uint64 activatesAt, uint32 nonce) private {
        uint256 word = uint256(activatesAt) | (uint256(nonce) << 128);
        assembly ("memory-safe") {
            sstore(release.slot, word)
        }
    }

    /**
     * @dev The notice an approval made in this block gets: the current notice period, or the floor
     * an earlier lowering update left, while that floor still applies.
     */
    function _effectiveNoticePeriod(App memory app) private view returns (uint64) {
        uint32 notice = app.noticePeriod;
        if (block.timestamp < app.previousNoticeUntil && app.previousNoticePeriod > notice) {
            notice = app.previousNoticePeriod;
        }
        return notice;
    }

    /**
     * @dev The notice floor to store with a configuration update. Lowering the notice period must
     * not shorten the public notice: approvals keep getting the notice period being replaced until
     * that much time has passed since this update. A floor that still applies is kept too, so a
     * chain of lowering updates cannot walk around it; one pair holds both (the larger period
     * until the later end). Raising or keeping the notice period keeps the stored floor as it is.
     */
    function _noticeFloorAfterUpdate(
        App memory app,
        uint64 newNoticePeriod
    ) private view returns (uint32 previousNoticePeriod, uint64 previousNoticeUntil) {
        previousNoticePeriod = app.previousNoticePeriod;
        previousNoticeUntil = app.previousNoticeUntil;
        uint32 replaced = app.noticePeriod;
        if (newNoticePeriod >= replaced) return (previousNoticePeriod, previousNoticeUntil);
        if (block.timestamp >= previousNoticeUntil) (previousNoticePeriod, previousNoticeUntil) = (0, 0);
        uint64 replacedUntil = uint64(block.timestamp) + replaced;
        if (replaced > previousNoticePeriod) previousNoticePeriod = replaced;
        if (replacedUntil > previousNoticeUntil) previousNoticeUntil = replacedUntil;
    }

    /**
     * @dev Checks the approvals of a k-signed action against the app's current configuration and
     * returns the approvers in ascending address order. `msg.sender` counts as one approval when it
     * is a current signer (an EOA or a contract wallet such as a Safe executing the call); every
     * other approver needs a signature over `digest` in `signatures`. Ascending order makes the
     * duplicate check one comparison per entry, with no extra storage; the sender is merged into
     * that order, so it may not appear in the bundle as well.
     */
    function _checkApprovals(
        bytes20 appId,
        App memory app,
        bytes32 digest,
        SignerSignature[] calldata signatures
    ) private view returns (address[] memory approvers) {
        mapping(address => bool) storage members = _isSigner[appId][app.configVersion];
        bool senderPending = members[msg.sender];
        uint256 count = signatures.length;
        uint256 total = senderPending ? count + 1 : count;
        if (total < app.threshold) revert AppRegistryInsufficientSignatures(total, app.threshold);
        approvers = new address[](total);
        uint256 next;
        address previous;
        for (uint256 i; i < count; ++i) {
            SignerSignature calldata entry = signatures[i];
            address signer = entry.signer;
            if (i != 0 && signer <= previous) {
                if (signer == previous) revert AppRegistryDuplicateSigner(signer);
                revert AppRegistrySignersNotSorted();
            }
            if (senderPending && signer >= msg.sender) {
                if (signer == msg.sender) revert AppRegistryDuplicateSigner(signer);
                approvers[next++] = msg.sender;
                senderPending = false;
            }
            if (!members[signer]) revert AppRegistryNotASigner(appId, signer);
            if (!_isValidSignature(signer, digest, entry.signature)) revert AppRegistryInvalidSignature(signer);
            approvers[next++] = signer;
            previous = signer;
        }
        if (senderPending) approvers[next] = msg.sender;
    }

    /**
     * @dev ECDSA first, then ERC-1271 for a signer with code. This accepts exactly what OZ
     * `SignatureChecker.isValidSignatureNow` accepts for EOAs and ordinary contract wallets, but
     * saves the cold EXTCODESIZE (2,600 gas) per EOA signer on the hot path. The one difference:
     * an EIP-7702 delegated EOA is also accepted with its own key, which controls it anyway.
     */
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return signer.code.length != 0 && SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature);
    }

    /// @dev EIP-712 digest of `Release`.
    function _releaseDigest(
        bytes20 appId,
        bytes32 composeHash,
        bytes32 metadataDigest,
        uint32 nonce,
        uint64 deadline
    ) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(RELEASE_TYPEHASH, appId, composeHash, metadataDigest, nonce, deadline))
            );
    }

    /// @dev EIP-712 digest of `AppConfigUpdate`.
    function _appConfigUpdateDigest(
        bytes20 appId,
        address[] calldata signers,
        uint8 threshold,
        uint64 noticePeriod,
        uint64 configVersion,
        uint64 deadline
    ) private view returns (bytes32) {
        // EIP-712 encodes an array as the hash of its elements' 32-byte encodings, which is what
        // abi.encodePacked produces for an address[].
        bytes32 signersHash = keccak256(abi.encodePacked(signers));
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        APP_CONFIG_UPDATE_TYPEHASH,
                        appId,
                        signersHash,
                        threshold,
                        noticePeriod,
                        configVersion,
                        deadline
                    )
                )
            );
    }

    /// @dev EIP-712 digest of `AppFreeze`.
    function _appFreezeDigest(bytes20 appId, uint64 configVersion, uint64 deadline) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(APP_FREEZE_TYPEHASH, appId, configVersion, deadline)));
    }
}

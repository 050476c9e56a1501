// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title PlainAllowlist
 * @dev Test-only gas baseline: the cheapest possible "allow this compose hash" write, with no
 * signatures, no timelock and no access control. AppRegistry's approval is measured against it.
 */
contract PlainAllowlist {
    mapping(bytes20 appId => mapping(bytes32 composeHash => bool)) private _allowed;

    /// @dev Emitted when a compose hash is allowed.
    event Allowed(bytes20 indexed appId, bytes32 indexed composeHash);

    /// @dev Allows `composeHash` for `appId`. Emits an {Allowed} event.
    function allow(bytes20 appId, bytes32 composeHash) external {
        _allowed[appId][composeHash] = true;
        emit Allowed(appId, composeHash);
    }

    /// @dev Whether `composeHash` is allowed for `appId`.
    function isAllowed(bytes20 appId, bytes32 composeHash) external view returns (bool) {
        return _allowed[appId][composeHash];
    }
}

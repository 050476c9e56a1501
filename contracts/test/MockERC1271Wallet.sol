// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/**
 * @title MockERC1271Wallet
 * @dev Test-only contract wallet standing in for a Safe: a signature is valid when it is the
 * owner's ECDSA signature over the hash. With `wrongMagic` set it answers a wrong magic value,
 * which a correct verifier must refuse. The owner can make the wallet call other contracts,
 * so the wallet itself can act as `msg.sender` (for example to revoke a release).
 */
contract MockERC1271Wallet is IERC1271 {
    bytes4 private constant WRONG_MAGIC_VALUE = 0xdeadbeef;

    address private immutable _owner;
    bool private immutable _wrongMagic;

    error MockERC1271WalletNotOwner(address caller);

    constructor(address owner, bool wrongMagic) {
        _owner = owner;
        _wrongMagic = wrongMagic;
    }

    /// @dev ERC-1271: the magic value when `signature` is the owner's ECDSA signature of `hash`.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (err != ECDSA.RecoverError.NoError || recovered != _owner) return 0xffffffff;
        return _wrongMagic ? WRONG_MAGIC_VALUE : IERC1271.isValidSignature.selector;
    }

    /// @dev Calls `target` with `data` as this wallet; bubbles up a revert.
    ///
    /// Requirements:
    /// - `msg.sender` is the owner.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        if (msg.sender != _owner) revert MockERC1271WalletNotOwner(msg.sender);
        bool success;
        (success, result) = target.call(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IERC3009
/// @notice EIP-3009 "Transfer With Authorization" as USDC (FiatTokenV2) implements it, with v, r, s signatures.
interface IERC3009 {
    /// @notice The authorization `nonce` of `authorizer` was used.
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);
    /// @notice The authorization `nonce` of `authorizer` was canceled.
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    /// @notice Whether `authorizer`'s authorization `nonce` was used or canceled.
    /// @param authorizer The signer of the authorization.
    /// @param nonce The authorization's nonce.
    /// @return True once used or canceled.
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool);

    /// @notice Moves `value` from `from` to `to` with `from`'s signed TransferWithAuthorization; anyone may submit it.
    /// @param from The payer and signer.
    /// @param to The payee.
    /// @param value Base units.
    /// @param validAfter Valid only when block.timestamp > validAfter.
    /// @param validBefore Valid only when block.timestamp < validBefore.
    /// @param nonce A unique 32-byte nonce.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Like transferWithAuthorization (signed ReceiveWithAuthorization), but only `to` may submit it.
    /// @param from The payer and signer.
    /// @param to The payee; must be msg.sender.
    /// @param value Base units.
    /// @param validAfter Valid only when block.timestamp > validAfter.
    /// @param validBefore Valid only when block.timestamp < validBefore.
    /// @param nonce A unique 32-byte nonce.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice Cancels `authorizer`'s unused authorization `nonce` with its signed CancelAuthorization.
    /// @param authorizer The signer of the authorization to cancel.
    /// @param nonce Its nonce.
    /// @param v Signature v.
    /// @param r Signature r.
    /// @param s Signature s.
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external;
}

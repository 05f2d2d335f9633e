// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ChannelFixture} from "./ChannelFixture.sol";
import {DemoDollar} from "../../src/DemoDollar.sol";
import {MicroTransferChannels} from "../../src/MicroTransferChannels.sol";

/// @notice ChannelFixture plus a DemoDollar (EIP-3009) with its own channel contract at a fixed address, and the
/// signing helpers of the relayed paths: ReceiveWithAuthorization for the token, OpenIntent for the channel
/// contract. Nonce derivations are written out here independently of the contract.
abstract contract RelayFixture is ChannelFixture {
    address internal constant DOLLAR_CHANNELS = 0x3434343434343434343434343434343434343434;
    uint256 internal constant DOLLARS = 1_000_000e6;

    bytes32 internal constant RECEIVE_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    bytes32 internal constant OPEN_INTENT_TYPEHASH =
        keccak256("OpenIntent(address receiver,address signer,uint192 deposit,uint256 deadline,uint256 nonce)");

    DemoDollar internal dollar;
    MicroTransferChannels internal dollarChannels;
    address internal relayer;

    /// The default authorization window: valid from (now - 1) to (now + 1 hour), exclusive at both ends.
    uint256 internal validAfter;
    uint256 internal validBefore;

    function setUp() public virtual override {
        super.setUp();
        vm.warp(1_700_000_000);
        validAfter = block.timestamp - 1;
        validBefore = block.timestamp + 1 hours;
        relayer = makeAddr("relayer");
        dollar = new DemoDollar(0);
        vm.etch(DOLLAR_CHANNELS, address(new MicroTransferChannels(address(dollar), CHALLENGE_PERIOD)).code);
        dollarChannels = MicroTransferChannels(DOLLAR_CHANNELS);
        vm.label(DOLLAR_CHANNELS, "MicroTransferChannels(dUSD)");
        dollar.mintTo(sender, DOLLARS);
        dollar.mintTo(stranger, DOLLARS);
    }

    // ---------------------------------------------------------------- nonces (docs/protocol.md)
    function _openNonce(address to, address signer, bytes32 salt) internal pure returns (bytes32) {
        return keccak256(abi.encode(to, signer, salt));
    }

    function _topUpNonce(address from, address to, uint32 openBlockNumber, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(keccak256(abi.encodePacked(from, to, openBlockNumber)), salt));
    }

    // ---------------------------------------------------------------- signatures
    struct Auth {
        uint256 validAfter;
        uint256 validBefore;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// ReceiveWithAuthorization(from = vm.addr(key), to = DOLLAR_CHANNELS, value, window, nonce) on DemoDollar.
    function _receiveAuth(uint256 key, uint256 value, bytes32 nonce, uint256 after_, uint256 before_)
        internal
        view
        returns (Auth memory)
    {
        return _receiveAuthAs(vm.addr(key), key, value, nonce, after_, before_);
    }

    /// A ReceiveWithAuthorization naming `from` but signed with `key` (a forgery when key is not from's).
    function _receiveAuthAs(address from, uint256 key, uint256 value, bytes32 nonce, uint256 after_, uint256 before_)
        internal
        view
        returns (Auth memory a)
    {
        bytes32 structHash =
            keccak256(abi.encode(RECEIVE_TYPEHASH, from, DOLLAR_CHANNELS, value, after_, before_, nonce));
        (a.v, a.r, a.s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", dollar.DOMAIN_SEPARATOR(), structHash)));
        (a.validAfter, a.validBefore) = (after_, before_);
    }

    /// The sender's authorization to open (sender → to, `deposit`, `signer`, `salt`) in the default window.
    function _openAuth(address to, uint192 deposit, address signer, bytes32 salt) internal view returns (Auth memory) {
        return _receiveAuth(senderKey, deposit, _openNonce(to, signer, salt), validAfter, validBefore);
    }

    function _topUpAuth(address to, uint32 openBlockNumber, uint192 added, bytes32 salt)
        internal
        view
        returns (Auth memory)
    {
        return _receiveAuth(senderKey, added, _topUpNonce(sender, to, openBlockNumber, salt), validAfter, validBefore);
    }

    function _openWithAuth(
        MicroTransferChannels c,
        address from,
        address to,
        uint192 deposit,
        address signer,
        bytes32 salt,
        Auth memory a
    ) internal {
        c.createChannelWithAuthorization(from, to, deposit, signer, salt, a.validAfter, a.validBefore, a.v, a.r, a.s);
    }

    function _topUpWithAuth(
        MicroTransferChannels c,
        address from,
        address to,
        uint32 openBlockNumber,
        uint192 added,
        bytes32 salt,
        Auth memory a
    ) internal {
        c.topUpWithAuthorization(from, to, openBlockNumber, added, salt, a.validAfter, a.validBefore, a.v, a.r, a.s);
    }

    /// EIP-712 OpenIntent in the domain of the channel contract at `verifyingContract`, as a 65-byte signature.
    function _intentSig(
        uint256 key,
        address verifyingContract,
        address to,
        address signer,
        uint192 deposit,
        uint256 deadline,
        uint256 nonce
    ) internal view returns (bytes memory) {
        bytes32 domain = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("MicroTransferChannels"),
                keccak256("1"),
                block.chainid,
                verifyingContract
            )
        );
        bytes32 structHash = keccak256(abi.encode(OPEN_INTENT_TYPEHASH, to, signer, deposit, deadline, nonce));
        return _sign(key, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
    }
}

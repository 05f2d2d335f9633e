// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "./Test.sol";
import {DemoToken} from "../../src/DemoToken.sol";
import {MicroTransferChannels} from "../../src/MicroTransferChannels.sol";

/// @notice Shared setup: a DemoToken, the channel contract at a fixed address, funded parties, and
/// EIP-712 signing helpers computed independently of the contract.
abstract contract ChannelFixture is Test {
    /// @dev Fixed so that digests can be checked against constants computed off-chain (viem).
    address internal constant CHANNELS = 0x1212121212121212121212121212121212121212;
    uint32 internal constant CHALLENGE_PERIOD = 500;
    uint256 internal constant FUNDS = 1_000_000 ether;

    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant BALANCE_PROOF_TYPEHASH =
        keccak256("BalanceProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)");
    bytes32 internal constant CLOSING_PROOF_TYPEHASH =
        keccak256("ClosingProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)");
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    DemoToken internal token;
    MicroTransferChannels internal channels;

    address internal sender;
    uint256 internal senderKey;
    address internal receiver;
    uint256 internal receiverKey;
    address internal session;
    uint256 internal sessionKey;
    address internal stranger;
    uint256 internal strangerKey;

    function setUp() public virtual {
        vm.roll(1000);
        (sender, senderKey) = makeKey("sender");
        (receiver, receiverKey) = makeKey("receiver");
        (session, sessionKey) = makeKey("session");
        (stranger, strangerKey) = makeKey("stranger");

        token = new DemoToken(0);
        vm.etch(CHANNELS, address(new MicroTransferChannels(address(token), CHALLENGE_PERIOD)).code);
        channels = MicroTransferChannels(CHANNELS);
        vm.label(CHANNELS, "MicroTransferChannels");

        _fund(sender, FUNDS);
        _fund(stranger, FUNDS);
    }

    // ---------------------------------------------------------------- funding and opening
    function _fund(address account, uint256 amount) internal {
        vm.deal(account, amount / 500);
        vm.prank(account);
        token.mint{value: amount / 500}();
    }

    /// @dev approve + createChannel from `sender` with the default signer; returns the open block.
    function _open(uint192 deposit) internal returns (uint32 openBlockNumber) {
        return _openFrom(sender, receiver, deposit, address(0));
    }

    function _openFrom(address from, address to, uint192 deposit, address signer) internal returns (uint32) {
        vm.startPrank(from);
        token.approve(CHANNELS, deposit);
        channels.createChannel(to, deposit, signer);
        vm.stopPrank();
        return uint32(block.number);
    }

    function _info(address from, address to, uint32 openBlockNumber)
        internal
        view
        returns (uint192 deposit, uint32 settleBlockNumber, uint192 closingBalance, uint192 withdrawn, address signer)
    {
        (, deposit, settleBlockNumber, closingBalance, withdrawn, signer) =
            channels.getChannelInfo(from, to, openBlockNumber);
    }

    // ---------------------------------------------------------------- EIP-712
    function _domainSeparator() internal view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("MicroTransferChannels"), keccak256("1"), block.chainid, CHANNELS)
        );
    }

    function _proofDigest(bytes32 typehash, address from, address to, uint32 openBlockNumber, uint192 balance)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(typehash, from, to, openBlockNumber, balance));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash));
    }

    function _sign(uint256 privateKey, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, digest);
        return abi.encodePacked(r, s, v);
    }

    function _balanceSig(uint256 privateKey, uint32 openBlockNumber, uint192 balance)
        internal
        view
        returns (bytes memory)
    {
        return _sign(privateKey, _proofDigest(BALANCE_PROOF_TYPEHASH, sender, receiver, openBlockNumber, balance));
    }

    function _closingSig(uint256 privateKey, uint32 openBlockNumber, uint192 balance)
        internal
        view
        returns (bytes memory)
    {
        return _sign(privateKey, _proofDigest(CLOSING_PROOF_TYPEHASH, sender, receiver, openBlockNumber, balance));
    }

    function _permitSig(uint256 ownerKey, address spender, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        address owner = vm.addr(ownerKey);
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, token.nonces(owner), deadline));
        return vm.sign(ownerKey, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
    }

    // ---------------------------------------------------------------- ERC-223 data layouts
    function _createData(address from, address to) internal pure returns (bytes memory) {
        return abi.encodePacked(from, to);
    }

    function _createData(address from, address to, address signer) internal pure returns (bytes memory) {
        return abi.encodePacked(from, to, signer);
    }

    function _topUpData(address from, address to, uint32 openBlockNumber) internal pure returns (bytes memory) {
        return abi.encodePacked(from, to, openBlockNumber);
    }
}

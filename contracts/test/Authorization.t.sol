// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RelayFixture} from "./utils/RelayFixture.sol";
import {DemoDollar} from "../src/DemoDollar.sol";
import {MicroTransferChannels} from "../src/MicroTransferChannels.sol";
import {WethLikeToken} from "./mocks/WethLikeToken.sol";

/// @notice createChannelWithAuthorization and topUpWithAuthorization (EIP-3009 receiveWithAuthorization).
contract AuthorizationTest is RelayFixture {
    event ChannelCreated(
        address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 deposit, address signer
    );
    event ChannelToppedUp(
        address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 addedDeposit
    );
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);
    event Transfer(address indexed from, address indexed to, uint256 value);

    bytes32 internal constant SALT = keccak256("salt");

    function _dollarInfo(address from, address to, uint32 openBlockNumber)
        internal
        view
        returns (uint192 deposit, uint32 settleBlockNumber, uint192 closingBalance, uint192 withdrawn, address signer)
    {
        (, deposit, settleBlockNumber, closingBalance, withdrawn, signer) =
            dollarChannels.getChannelInfo(from, to, openBlockNumber);
    }

    /// Relayed open of 50 dUSD to `receiver` with the default signer; returns the open block.
    function _relayedOpen(uint192 deposit) internal returns (uint32) {
        Auth memory a = _openAuth(receiver, deposit, address(0), SALT);
        vm.prank(relayer);
        _openWithAuth(dollarChannels, sender, receiver, deposit, address(0), SALT, a);
        return uint32(block.number);
    }

    // ================================================================ createChannelWithAuthorization
    function test_createChannelWithAuthorization_RelayerOpensForSender() public {
        Auth memory a = _openAuth(receiver, 50e6, address(0), SALT);
        bytes32 nonce = _openNonce(receiver, address(0), SALT);
        vm.expectEmit(true, true, true, true, DOLLAR_CHANNELS);
        emit ChannelCreated(sender, receiver, uint32(block.number), 50e6, sender);
        vm.expectEmit(true, true, true, true, address(dollar));
        emit AuthorizationUsed(sender, nonce);
        vm.expectEmit(true, true, true, true, address(dollar));
        emit Transfer(sender, DOLLAR_CHANNELS, 50e6);
        vm.prank(relayer);
        _openWithAuth(dollarChannels, sender, receiver, 50e6, address(0), SALT, a);

        (bytes32 key, uint192 deposit, uint32 settleAt, uint192 closing, uint192 withdrawn, address signer) =
            dollarChannels.getChannelInfo(sender, receiver, uint32(block.number));
        assertEq(key, dollarChannels.getKey(sender, receiver, uint32(block.number)));
        assertEq(deposit, 50e6);
        assertEq(settleAt, 0);
        assertEq(closing, 0);
        assertEq(withdrawn, 0);
        assertEq(signer, sender, "effective signer is the sender");
        assertEq(dollar.balanceOf(DOLLAR_CHANNELS), 50e6);
        assertEq(dollar.balanceOf(sender), DOLLARS - 50e6);
        assertEq(dollar.balanceOf(relayer), 0);
        assertTrue(dollar.authorizationState(sender, nonce));
    }

    function test_createChannelWithAuthorization_WithSessionSigner() public {
        Auth memory a = _openAuth(receiver, 5e6, session, SALT);
        vm.expectEmit(true, true, true, true, DOLLAR_CHANNELS);
        emit ChannelCreated(sender, receiver, uint32(block.number), 5e6, session);
        vm.prank(relayer);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, session, SALT, a);
        (,,,, address signer) = _dollarInfo(sender, receiver, uint32(block.number));
        assertEq(signer, session);
    }

    function test_createChannelWithAuthorization_SignerEqualToSenderIsDefault() public {
        Auth memory a = _openAuth(receiver, 5e6, sender, SALT);
        vm.expectEmit(true, true, true, true, DOLLAR_CHANNELS);
        emit ChannelCreated(sender, receiver, uint32(block.number), 5e6, sender);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, sender, SALT, a);
        (,,,, address signer) = _dollarInfo(sender, receiver, uint32(block.number));
        assertEq(signer, sender);
    }

    function test_createChannelWithAuthorization_ZeroDepositAllowed() public {
        _relayedOpen(0);
        (uint192 deposit,,,,) = _dollarInfo(sender, receiver, uint32(block.number));
        assertEq(deposit, 0);
    }

    function test_createChannelWithAuthorization_SenderMaySubmitItself() public {
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        vm.prank(sender);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
        (uint192 deposit,,,,) = _dollarInfo(sender, receiver, uint32(block.number));
        assertEq(deposit, 5e6);
    }

    function test_createChannelWithAuthorization_ChannelPaysOutLikeAnyOther() public {
        Auth memory a = _openAuth(receiver, 10e6, session, SALT);
        _openWithAuth(dollarChannels, sender, receiver, 10e6, session, SALT, a);
        uint32 ob = uint32(block.number);
        bytes32 balanceDigest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                keccak256(
                    abi.encode(
                        DOMAIN_TYPEHASH,
                        keccak256("MicroTransferChannels"),
                        keccak256("1"),
                        block.chainid,
                        DOLLAR_CHANNELS
                    )
                ),
                keccak256(abi.encode(BALANCE_PROOF_TYPEHASH, sender, receiver, ob, uint192(3e6)))
            )
        );
        vm.prank(receiver);
        dollarChannels.withdraw(sender, ob, 3e6, _sign(sessionKey, balanceDigest));
        assertEq(dollar.balanceOf(receiver), 3e6);
    }

    function test_createChannelWithAuthorization_RevertWhen_RelayerChangesReceiver() public {
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        vm.prank(relayer);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _openWithAuth(dollarChannels, sender, stranger, 5e6, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_RelayerChangesSigner() public {
        Auth memory a = _openAuth(receiver, 5e6, session, SALT);
        vm.prank(relayer);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, relayer, SALT, a);
        // address(0) and the sender both mean "the sender", but the nonce hashes the argument as given.
        vm.prank(relayer);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_RelayerChangesDepositSaltOrSender() public {
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        vm.startPrank(relayer);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _openWithAuth(dollarChannels, sender, receiver, 6e6, address(0), SALT, a);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), keccak256("other salt"), a);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _openWithAuth(dollarChannels, stranger, receiver, 5e6, address(0), SALT, a);
        a.validBefore += 1;
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
        vm.stopPrank();
    }

    function test_createChannelWithAuthorization_RevertWhen_SignedByAnotherKey() public {
        Auth memory a = _receiveAuthAs(
            sender, strangerKey, 5e6, _openNonce(receiver, address(0), SALT), validAfter, validBefore
        );
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009InvalidSigner.selector, stranger, sender));
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_Replayed() public {
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
        // Same block: the channel exists. Later blocks: the token refuses the used nonce.
        vm.expectRevert(MicroTransferChannels.ChannelExists.selector);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
        vm.roll(block.number + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                DemoDollar.ERC3009UsedOrCanceled.selector, sender, _openNonce(receiver, address(0), SALT)
            )
        );
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_Expired() public {
        Auth memory a =
            _receiveAuth(senderKey, 5e6, _openNonce(receiver, address(0), SALT), 0, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009Expired.selector, block.timestamp));
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_NotYetValid() public {
        Auth memory a = _receiveAuth(
            senderKey, 5e6, _openNonce(receiver, address(0), SALT), block.timestamp, block.timestamp + 60
        );
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009NotYetValid.selector, block.timestamp));
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
        vm.warp(block.timestamp + 1);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_Canceled() public {
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        bytes32 nonce = _openNonce(receiver, address(0), SALT);
        bytes32 cancelDigest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                dollar.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(dollar.CANCEL_AUTHORIZATION_TYPEHASH(), sender, nonce))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(senderKey, cancelDigest);
        dollar.cancelAuthorization(sender, nonce, v, r, s);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009UsedOrCanceled.selector, sender, nonce));
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_ChannelExistsInBlock() public {
        vm.startPrank(sender);
        dollar.approve(DOLLAR_CHANNELS, 1e6);
        dollarChannels.createChannel(receiver, 1e6, address(0));
        vm.stopPrank();
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        vm.expectRevert(MicroTransferChannels.ChannelExists.selector);
        _openWithAuth(dollarChannels, sender, receiver, 5e6, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_InsufficientBalance() public {
        Auth memory a = _openAuth(receiver, uint192(DOLLARS + 1), address(0), SALT);
        vm.expectPartialRevert(bytes4(keccak256("ERC20InsufficientBalance(address,uint256,uint256)")));
        _openWithAuth(dollarChannels, sender, receiver, uint192(DOLLARS + 1), address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_AuthorizationCannotBeTakenToTheToken() public {
        // The signature names the channel contract as payee: nobody else can pull with it, directly or as a transfer.
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        bytes32 nonce = _openNonce(receiver, address(0), SALT);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009CallerNotPayee.selector, relayer, DOLLAR_CHANNELS));
        dollar.receiveWithAuthorization(
            sender, DOLLAR_CHANNELS, 5e6, a.validAfter, a.validBefore, nonce, a.v, a.r, a.s
        );
        vm.prank(relayer);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        dollar.transferWithAuthorization(
            sender, DOLLAR_CHANNELS, 5e6, a.validAfter, a.validBefore, nonce, a.v, a.r, a.s
        );
    }

    function test_createChannelWithAuthorization_RevertWhen_TokenHasNoEip3009() public {
        // DemoToken has permit but no EIP-3009 and no fallback: the call reverts without data.
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        vm.expectRevert(MicroTransferChannels.AuthorizationFailed.selector);
        _openWithAuth(channels, sender, receiver, 5e6, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_TokenFallbackAcceptsAnyCall() public {
        // A WETH-like token "succeeds" on any call; the contract must not open an unfunded channel.
        WethLikeToken weth = new WethLikeToken();
        MicroTransferChannels c = new MicroTransferChannels(address(weth), CHALLENGE_PERIOD);
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        vm.expectRevert(MicroTransferChannels.AuthorizationFailed.selector);
        _openWithAuth(c, sender, receiver, 5e6, address(0), SALT, a);
        vm.expectRevert(MicroTransferChannels.AuthorizationFailed.selector);
        _openWithAuth(c, sender, receiver, 0, address(0), SALT, a);
    }

    function test_createChannelWithAuthorization_RevertWhen_DepositAboveUint192() public {
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        (bool ok,) = DOLLAR_CHANNELS.call(
            abi.encodeWithSelector(
                MicroTransferChannels.createChannelWithAuthorization.selector,
                sender,
                receiver,
                uint256(type(uint192).max) + 1,
                address(0),
                SALT,
                a.validAfter,
                a.validBefore,
                a.v,
                a.r,
                a.s
            )
        );
        assertFalse(ok);
    }

    function testFuzz_createChannelWithAuthorization_AnyDepositSignerSalt(
        uint256 deposit,
        address signer,
        bytes32 salt
    ) public {
        deposit = bound(deposit, 0, DOLLARS);
        Auth memory a = _openAuth(receiver, uint192(deposit), signer, salt);
        vm.prank(relayer);
        _openWithAuth(dollarChannels, sender, receiver, uint192(deposit), signer, salt, a);
        (uint192 stored,,,, address effective) = _dollarInfo(sender, receiver, uint32(block.number));
        assertEq(stored, deposit);
        assertEq(effective, signer == address(0) ? sender : signer);
        assertEq(dollar.balanceOf(DOLLAR_CHANNELS), deposit);
    }

    function testFuzz_createChannelWithAuthorization_RevertWhen_ReceiverRedirected(address other) public {
        vm.assume(other != receiver);
        Auth memory a = _openAuth(receiver, 5e6, address(0), SALT);
        vm.prank(relayer);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _openWithAuth(dollarChannels, sender, other, 5e6, address(0), SALT, a);
    }

    // ================================================================ topUpWithAuthorization
    function test_topUpWithAuthorization_RelayerTopsUp() public {
        uint32 ob = _relayedOpen(10e6);
        vm.roll(block.number + 3);
        Auth memory a = _topUpAuth(receiver, ob, 4e6, SALT);
        bytes32 nonce = _topUpNonce(sender, receiver, ob, SALT);
        vm.expectEmit(true, true, true, true, DOLLAR_CHANNELS);
        emit ChannelToppedUp(sender, receiver, ob, 4e6);
        vm.expectEmit(true, true, true, true, address(dollar));
        emit AuthorizationUsed(sender, nonce);
        vm.prank(relayer);
        _topUpWithAuth(dollarChannels, sender, receiver, ob, 4e6, SALT, a);
        (uint192 deposit,,,,) = _dollarInfo(sender, receiver, ob);
        assertEq(deposit, 14e6);
        assertEq(dollar.balanceOf(DOLLAR_CHANNELS), 14e6);
        assertTrue(dollar.authorizationState(sender, nonce));
    }

    function test_topUpWithAuthorization_SameSaltAsTheOpenIsAnotherNonce() public {
        uint32 ob = _relayedOpen(10e6);
        Auth memory a = _topUpAuth(receiver, ob, 1e6, SALT);
        _topUpWithAuth(dollarChannels, sender, receiver, ob, 1e6, SALT, a);
        (uint192 deposit,,,,) = _dollarInfo(sender, receiver, ob);
        assertEq(deposit, 11e6);
    }

    function test_topUpWithAuthorization_RevertWhen_RelayerRedirectsToAnotherChannel() public {
        // Three live channels of the sender: (receiver, ob1), (stranger, ob1), (receiver, ob2).
        uint32 ob1 = _relayedOpen(10e6);
        Auth memory other = _openAuth(stranger, 10e6, address(0), SALT);
        _openWithAuth(dollarChannels, sender, stranger, 10e6, address(0), SALT, other);
        vm.roll(block.number + 1);
        Auth memory second = _openAuth(receiver, 10e6, address(0), keccak256("second"));
        _openWithAuth(dollarChannels, sender, receiver, 10e6, address(0), keccak256("second"), second);
        uint32 ob2 = uint32(block.number);

        Auth memory a = _topUpAuth(receiver, ob1, 4e6, SALT);
        vm.startPrank(relayer);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _topUpWithAuth(dollarChannels, sender, stranger, ob1, 4e6, SALT, a);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _topUpWithAuth(dollarChannels, sender, receiver, ob2, 4e6, SALT, a);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _topUpWithAuth(dollarChannels, sender, receiver, ob1, 5e6, SALT, a);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _topUpWithAuth(dollarChannels, sender, receiver, ob1, 4e6, keccak256("other salt"), a);
        _topUpWithAuth(dollarChannels, sender, receiver, ob1, 4e6, SALT, a);
        vm.stopPrank();
    }

    function test_topUpWithAuthorization_RevertWhen_OpenAuthorizationReused() public {
        // The open's signature (nonce over receiver, signer, salt) is not a top-up signature.
        Auth memory a = _openAuth(receiver, 10e6, address(0), SALT);
        _openWithAuth(dollarChannels, sender, receiver, 10e6, address(0), SALT, a);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        _topUpWithAuth(dollarChannels, sender, receiver, uint32(block.number), 10e6, SALT, a);
    }

    function test_topUpWithAuthorization_RevertWhen_Replayed() public {
        uint32 ob = _relayedOpen(10e6);
        Auth memory a = _topUpAuth(receiver, ob, 4e6, SALT);
        _topUpWithAuth(dollarChannels, sender, receiver, ob, 4e6, SALT, a);
        vm.expectRevert(
            abi.encodeWithSelector(
                DemoDollar.ERC3009UsedOrCanceled.selector, sender, _topUpNonce(sender, receiver, ob, SALT)
            )
        );
        _topUpWithAuth(dollarChannels, sender, receiver, ob, 4e6, SALT, a);
    }

    function test_topUpWithAuthorization_RevertWhen_ExpiredOrNotYetValid() public {
        uint32 ob = _relayedOpen(10e6);
        bytes32 nonce = _topUpNonce(sender, receiver, ob, SALT);
        Auth memory expired = _receiveAuth(senderKey, 4e6, nonce, 0, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009Expired.selector, block.timestamp));
        _topUpWithAuth(dollarChannels, sender, receiver, ob, 4e6, SALT, expired);
        Auth memory early = _receiveAuth(senderKey, 4e6, nonce, block.timestamp, block.timestamp + 60);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009NotYetValid.selector, block.timestamp));
        _topUpWithAuth(dollarChannels, sender, receiver, ob, 4e6, SALT, early);
    }

    function test_topUpWithAuthorization_RevertWhen_ZeroAmount() public {
        uint32 ob = _relayedOpen(10e6);
        Auth memory a = _topUpAuth(receiver, ob, 0, SALT);
        vm.expectRevert(MicroTransferChannels.ZeroAmount.selector);
        _topUpWithAuth(dollarChannels, sender, receiver, ob, 0, SALT, a);
    }

    function test_topUpWithAuthorization_RevertWhen_ChannelUnknownOrClosing() public {
        Auth memory a = _topUpAuth(receiver, uint32(block.number), 4e6, SALT);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        _topUpWithAuth(dollarChannels, sender, receiver, uint32(block.number), 4e6, SALT, a);

        uint32 ob = _relayedOpen(10e6);
        vm.prank(sender);
        dollarChannels.uncooperativeClose(receiver, ob, 0);
        a = _topUpAuth(receiver, ob, 4e6, SALT);
        vm.expectRevert(MicroTransferChannels.ChannelClosing.selector);
        _topUpWithAuth(dollarChannels, sender, receiver, ob, 4e6, SALT, a);
    }

    function test_topUpWithAuthorization_RevertWhen_TokenHasNoEip3009() public {
        uint32 ob = _open(10 ether); // a DemoToken channel
        Auth memory a = _topUpAuth(receiver, ob, 4e6, SALT);
        vm.expectRevert(MicroTransferChannels.AuthorizationFailed.selector);
        _topUpWithAuth(channels, sender, receiver, ob, 4e6, SALT, a);
    }

    function testFuzz_topUpWithAuthorization_SumsDeposits(uint256 first, uint256 added, bytes32 salt) public {
        first = bound(first, 0, DOLLARS / 2);
        added = bound(added, 1, DOLLARS / 2);
        uint32 ob = _relayedOpen(uint192(first));
        vm.roll(block.number + 1);
        Auth memory a = _topUpAuth(receiver, ob, uint192(added), salt);
        vm.prank(relayer);
        _topUpWithAuth(dollarChannels, sender, receiver, ob, uint192(added), salt, a);
        (uint192 deposit,,,,) = _dollarInfo(sender, receiver, ob);
        assertEq(deposit, first + added);
        assertEq(dollar.balanceOf(DOLLAR_CHANNELS), first + added);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {MicroTransferChannels} from "../src/MicroTransferChannels.sol";

contract CooperativeCloseTest is ChannelFixture {
    event ChannelSettled(
        address indexed sender,
        address indexed receiver,
        uint32 indexed openBlockNumber,
        uint192 balance,
        uint192 receiverTokens
    );

    uint32 internal ob;

    function setUp() public override {
        super.setUp();
        ob = _open(10 ether);
    }

    function _close(address caller, uint192 balance) internal {
        bytes memory b = _balanceSig(senderKey, ob, balance);
        bytes memory c = _closingSig(receiverKey, ob, balance);
        vm.prank(caller);
        channels.cooperativeClose(sender, receiver, ob, balance, b, c);
    }

    function test_cooperativeClose_PaysBothPartiesAndDeletesChannel() public {
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelSettled(sender, receiver, ob, 4 ether, 4 ether);
        _close(receiver, 4 ether);
        assertEq(token.balanceOf(receiver), 4 ether);
        assertEq(token.balanceOf(sender), FUNDS - 4 ether);
        assertEq(token.balanceOf(CHANNELS), 0);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.getChannelInfo(sender, receiver, ob);
    }

    function test_cooperativeClose_CallableByAnyone() public {
        _close(stranger, 1 ether);
        assertEq(token.balanceOf(receiver), 1 ether);
        assertEq(token.balanceOf(stranger), FUNDS);
    }

    function test_cooperativeClose_CallableBySender() public {
        _close(sender, 0);
        assertEq(token.balanceOf(receiver), 0);
        assertEq(token.balanceOf(sender), FUNDS);
    }

    function test_cooperativeClose_SubtractsWithdrawn() public {
        bytes memory w = _balanceSig(senderKey, ob, 3 ether);
        vm.prank(receiver);
        channels.withdraw(sender, ob, 3 ether, w);
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelSettled(sender, receiver, ob, 7 ether, 4 ether);
        _close(receiver, 7 ether);
        assertEq(token.balanceOf(receiver), 7 ether);
        assertEq(token.balanceOf(sender), FUNDS - 7 ether);
    }

    function test_cooperativeClose_DuringChallengePeriod() public {
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 1 ether);
        vm.roll(block.number + CHALLENGE_PERIOD);
        _close(receiver, 6 ether);
        assertEq(token.balanceOf(receiver), 6 ether);
        assertEq(token.balanceOf(sender), FUNDS - 6 ether);
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.ChannelNotClosing.selector);
        channels.settle(receiver, ob);
    }

    function test_cooperativeClose_WithSessionSigner() public {
        vm.roll(block.number + 1);
        uint32 sob = _openFrom(sender, receiver, 10 ether, session);
        bytes memory b = _balanceSig(sessionKey, sob, 2 ether);
        bytes memory c = _closingSig(receiverKey, sob, 2 ether);
        channels.cooperativeClose(sender, receiver, sob, 2 ether, b, c);
        assertEq(token.balanceOf(receiver), 2 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.getChannelInfo(sender, receiver, sob);
    }

    function test_cooperativeClose_RevertWhen_SenderKeySignsForSessionChannel() public {
        vm.roll(block.number + 1);
        uint32 sob = _openFrom(sender, receiver, 10 ether, session);
        bytes memory b = _balanceSig(senderKey, sob, 2 ether);
        bytes memory c = _closingSig(receiverKey, sob, 2 ether);
        vm.expectRevert(MicroTransferChannels.InvalidBalanceProof.selector);
        channels.cooperativeClose(sender, receiver, sob, 2 ether, b, c);
    }

    function test_cooperativeClose_RevertWhen_WrongReceiver() public {
        bytes memory b = _balanceSig(senderKey, ob, 1 ether);
        bytes memory c = _closingSig(receiverKey, ob, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.cooperativeClose(sender, stranger, ob, 1 ether, b, c);
    }

    function test_cooperativeClose_RevertWhen_WrongOpenBlock() public {
        bytes memory b = _balanceSig(senderKey, ob, 1 ether);
        bytes memory c = _closingSig(receiverKey, ob, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.cooperativeClose(sender, receiver, ob - 1, 1 ether, b, c);
    }

    function test_cooperativeClose_RevertWhen_WrongBalance() public {
        bytes memory b = _balanceSig(senderKey, ob, 1 ether);
        bytes memory c = _closingSig(receiverKey, ob, 1 ether);
        vm.expectRevert(MicroTransferChannels.InvalidBalanceProof.selector);
        channels.cooperativeClose(sender, receiver, ob, 2 ether, b, c);
    }

    function test_cooperativeClose_RevertWhen_BalanceSignedByOtherKey() public {
        bytes memory b = _balanceSig(strangerKey, ob, 1 ether);
        bytes memory c = _closingSig(receiverKey, ob, 1 ether);
        vm.expectRevert(MicroTransferChannels.InvalidBalanceProof.selector);
        channels.cooperativeClose(sender, receiver, ob, 1 ether, b, c);
    }

    function test_cooperativeClose_RevertWhen_ClosingSignedByOtherKey() public {
        bytes memory b = _balanceSig(senderKey, ob, 1 ether);
        bytes memory c = _closingSig(senderKey, ob, 1 ether);
        vm.expectRevert(MicroTransferChannels.InvalidClosingProof.selector);
        channels.cooperativeClose(sender, receiver, ob, 1 ether, b, c);
    }

    function test_cooperativeClose_RevertWhen_SignaturesSwapped() public {
        bytes memory b = _balanceSig(senderKey, ob, 1 ether);
        bytes memory c = _closingSig(receiverKey, ob, 1 ether);
        vm.expectRevert(MicroTransferChannels.InvalidBalanceProof.selector);
        channels.cooperativeClose(sender, receiver, ob, 1 ether, c, b);
    }

    /// Audit #134 of µRaiden: a closing signature must not close another receiver's channel.
    function test_cooperativeClose_RevertWhen_ClosingSigReusedForOtherReceiver() public {
        _openFrom(sender, stranger, 10 ether, address(0));
        bytes memory c = _closingSig(receiverKey, ob, 1 ether); // receiver's closing sig for its own channel
        bytes memory b = _sign(senderKey, _proofDigest(BALANCE_PROOF_TYPEHASH, sender, stranger, ob, 1 ether));
        vm.expectRevert(MicroTransferChannels.InvalidClosingProof.selector);
        channels.cooperativeClose(sender, stranger, ob, 1 ether, b, c);
    }

    function test_cooperativeClose_RevertWhen_BalanceExceedsDeposit() public {
        bytes memory b = _balanceSig(senderKey, ob, 10 ether + 1);
        bytes memory c = _closingSig(receiverKey, ob, 10 ether + 1);
        vm.expectRevert(MicroTransferChannels.BalanceExceedsDeposit.selector);
        channels.cooperativeClose(sender, receiver, ob, 10 ether + 1, b, c);
    }

    function test_cooperativeClose_RevertWhen_BalanceBelowWithdrawn() public {
        bytes memory w = _balanceSig(senderKey, ob, 3 ether);
        vm.prank(receiver);
        channels.withdraw(sender, ob, 3 ether, w);
        bytes memory b = _balanceSig(senderKey, ob, 2 ether);
        bytes memory c = _closingSig(receiverKey, ob, 2 ether);
        vm.expectRevert(MicroTransferChannels.BalanceBelowWithdrawn.selector);
        channels.cooperativeClose(sender, receiver, ob, 2 ether, b, c);
    }

    function test_cooperativeClose_RevertWhen_AlreadySettled() public {
        _close(receiver, 1 ether);
        bytes memory b = _balanceSig(senderKey, ob, 1 ether);
        bytes memory c = _closingSig(receiverKey, ob, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.cooperativeClose(sender, receiver, ob, 1 ether, b, c);
    }

    function testFuzz_cooperativeClose_ExactPayouts(uint256 deposit, uint256 withdrawn, uint256 balance) public {
        deposit = bound(deposit, 1, FUNDS - 10 ether);
        withdrawn = bound(withdrawn, 0, deposit);
        balance = bound(balance, withdrawn, deposit);
        vm.roll(block.number + 1);
        ob = _open(uint192(deposit));
        if (withdrawn != 0) {
            bytes memory w = _balanceSig(senderKey, ob, uint192(withdrawn));
            vm.prank(receiver);
            channels.withdraw(sender, ob, uint192(withdrawn), w);
        }
        uint256 senderBefore = token.balanceOf(sender);
        _close(stranger, uint192(balance));
        assertEq(token.balanceOf(receiver), balance, "receiver gets the balance");
        assertEq(token.balanceOf(sender) - senderBefore, deposit - balance, "sender gets the rest");
        assertEq(token.balanceOf(CHANNELS), 10 ether, "only the first channel's deposit is left");
    }
}

contract UncooperativeCloseTest is ChannelFixture {
    event ChannelCloseRequested(
        address indexed sender,
        address indexed receiver,
        uint32 indexed openBlockNumber,
        uint192 balance,
        uint32 settleBlockNumber
    );
    event ChannelSettled(
        address indexed sender,
        address indexed receiver,
        uint32 indexed openBlockNumber,
        uint192 balance,
        uint192 receiverTokens
    );

    uint32 internal ob;

    function setUp() public override {
        super.setUp();
        ob = _open(10 ether);
    }

    function test_uncooperativeClose_StartsChallengePeriod() public {
        uint32 settleAt = uint32(block.number + CHALLENGE_PERIOD);
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelCloseRequested(sender, receiver, ob, 3 ether, settleAt);
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 3 ether);
        (uint192 deposit, uint32 settleBlockNumber, uint192 closing,,) = _info(sender, receiver, ob);
        assertEq(deposit, 10 ether);
        assertEq(settleBlockNumber, settleAt);
        assertEq(closing, 3 ether);
        assertEq(token.balanceOf(CHANNELS), 10 ether, "nothing is paid yet");
    }

    function test_uncooperativeClose_RevertWhen_CallerIsNotSender() public {
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.uncooperativeClose(receiver, ob, 3 ether);
        vm.prank(stranger);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.uncooperativeClose(receiver, ob, 3 ether);
    }

    function test_uncooperativeClose_RevertWhen_BalanceExceedsDeposit() public {
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.BalanceExceedsDeposit.selector);
        channels.uncooperativeClose(receiver, ob, 10 ether + 1);
    }

    function test_uncooperativeClose_RevertWhen_CalledTwice() public {
        vm.startPrank(sender);
        channels.uncooperativeClose(receiver, ob, 3 ether);
        vm.expectRevert(MicroTransferChannels.ChannelClosing.selector);
        channels.uncooperativeClose(receiver, ob, 2 ether);
        vm.stopPrank();
    }

    function test_uncooperativeClose_RevertWhen_SettleBlockOverflows() public {
        vm.roll(uint256(type(uint32).max) - CHALLENGE_PERIOD + 1);
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.SettleBlockOverflow.selector);
        channels.uncooperativeClose(receiver, ob, 3 ether);
    }

    function test_uncooperativeClose_AtLastValidBlock() public {
        vm.roll(uint256(type(uint32).max) - CHALLENGE_PERIOD);
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 3 ether);
        (, uint32 settleBlockNumber,,,) = _info(sender, receiver, ob);
        assertEq(settleBlockNumber, type(uint32).max);
    }

    function test_settle_PaysAnnouncedBalanceAfterChallenge() public {
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 3 ether);
        vm.roll(block.number + CHALLENGE_PERIOD + 1);
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelSettled(sender, receiver, ob, 3 ether, 3 ether);
        vm.prank(sender);
        channels.settle(receiver, ob);
        assertEq(token.balanceOf(receiver), 3 ether);
        assertEq(token.balanceOf(sender), FUNDS - 3 ether);
        assertEq(token.balanceOf(CHANNELS), 0);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.getChannelInfo(sender, receiver, ob);
    }

    function test_settle_RevertWhen_AtExactlySettleBlock() public {
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 3 ether);
        vm.roll(block.number + CHALLENGE_PERIOD);
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.ChallengePeriodNotOver.selector);
        channels.settle(receiver, ob);
    }

    function test_settle_RevertWhen_BeforeChallengeEnds() public {
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 3 ether);
        vm.roll(block.number + 1);
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.ChallengePeriodNotOver.selector);
        channels.settle(receiver, ob);
    }

    function test_settle_RevertWhen_NoCloseRequested() public {
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.ChannelNotClosing.selector);
        channels.settle(receiver, ob);
    }

    function test_settle_RevertWhen_CallerIsNotSender() public {
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 3 ether);
        vm.roll(block.number + CHALLENGE_PERIOD + 1);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.ChannelNotClosing.selector);
        channels.settle(receiver, ob);
        vm.prank(stranger);
        vm.expectRevert(MicroTransferChannels.ChannelNotClosing.selector);
        channels.settle(receiver, ob);
    }

    function test_settle_SubtractsWithdrawn() public {
        bytes memory w = _balanceSig(senderKey, ob, 2 ether);
        vm.prank(receiver);
        channels.withdraw(sender, ob, 2 ether, w);
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 5 ether);
        vm.roll(block.number + CHALLENGE_PERIOD + 1);
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelSettled(sender, receiver, ob, 5 ether, 3 ether);
        vm.prank(sender);
        channels.settle(receiver, ob);
        assertEq(token.balanceOf(receiver), 5 ether);
        assertEq(token.balanceOf(sender), FUNDS - 5 ether);
    }

    /// µRaiden issue #392: a close below the withdrawn amount must not lock the funds; the receiver
    /// keeps what it withdrew and the sender gets the rest.
    function test_settle_BalanceBelowWithdrawnSettlesAtWithdrawn() public {
        bytes memory w = _balanceSig(senderKey, ob, 4 ether);
        vm.prank(receiver);
        channels.withdraw(sender, ob, 4 ether, w);
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 1 ether);
        vm.roll(block.number + CHALLENGE_PERIOD + 1);
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelSettled(sender, receiver, ob, 4 ether, 0);
        vm.prank(sender);
        channels.settle(receiver, ob);
        assertEq(token.balanceOf(receiver), 4 ether);
        assertEq(token.balanceOf(sender), FUNDS - 4 ether);
        assertEq(token.balanceOf(CHANNELS), 0);
    }

    function test_settle_DeletedChannelCannotBeReused() public {
        bytes memory w = _balanceSig(senderKey, ob, 2 ether);
        vm.prank(receiver);
        channels.withdraw(sender, ob, 2 ether, w);
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 2 ether);
        vm.roll(block.number + CHALLENGE_PERIOD + 1);
        vm.startPrank(sender);
        channels.settle(receiver, ob);

        vm.expectRevert(MicroTransferChannels.ChannelNotClosing.selector);
        channels.settle(receiver, ob);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.uncooperativeClose(receiver, ob, 0);
        token.approve(CHANNELS, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.topUp(receiver, ob, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        token.transfer(CHANNELS, 1 ether, _topUpData(sender, receiver, ob));
        vm.stopPrank();

        bytes memory w2 = _balanceSig(senderKey, ob, 3 ether);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.withdraw(sender, ob, 3 ether, w2);
        bytes memory c = _closingSig(receiverKey, ob, 3 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.cooperativeClose(sender, receiver, ob, 3 ether, w2, c);
    }

    /// The withdrawn balance is deleted with the channel (µRaiden kept it): storage is fully cleared.
    function test_settle_ClearsAllStorage() public {
        vm.roll(block.number + 1);
        uint32 sob = _openFrom(sender, receiver, 10 ether, session);
        bytes memory w = _balanceSig(sessionKey, sob, 2 ether);
        vm.prank(receiver);
        channels.withdraw(sender, sob, 2 ether, w);
        vm.prank(sender);
        channels.uncooperativeClose(receiver, sob, 5 ether);
        vm.roll(block.number + CHALLENGE_PERIOD + 1);
        bytes32 key = channels.getKey(sender, receiver, sob);
        // `_channels` is storage slot 2 (after EIP712's two fallback strings: `forge inspect ... storageLayout`)
        bytes32 base = keccak256(abi.encode(key, uint256(2)));
        for (uint256 i; i < 4; ++i) {
            assertTrue(_load(CHANNELS, bytes32(uint256(base) + i)) != bytes32(0), "all four slots written");
        }
        vm.prank(sender);
        channels.settle(receiver, sob);
        for (uint256 i; i < 4; ++i) {
            assertEq(_load(CHANNELS, bytes32(uint256(base) + i)), bytes32(0));
        }
    }

    function _load(address target, bytes32 slot) internal view returns (bytes32 value) {
        (bool ok, bytes memory data) =
            address(vm).staticcall(abi.encodeWithSignature("load(address,bytes32)", target, slot));
        require(ok, "load failed");
        value = abi.decode(data, (bytes32));
    }

    function testFuzz_settle_ExactPayouts(uint256 balance, uint256 wait) public {
        balance = bound(balance, 0, 10 ether);
        wait = bound(wait, CHALLENGE_PERIOD + 1, 100_000);
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, uint192(balance));
        vm.roll(block.number + wait);
        vm.prank(sender);
        channels.settle(receiver, ob);
        assertEq(token.balanceOf(receiver), balance);
        assertEq(token.balanceOf(sender), FUNDS - balance);
    }
}

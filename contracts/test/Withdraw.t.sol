// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {MicroTransferChannels} from "../src/MicroTransferChannels.sol";

contract WithdrawTest is ChannelFixture {
    event ChannelWithdraw(
        address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 withdrawnBalance
    );

    uint32 internal ob;

    function setUp() public override {
        super.setUp();
        ob = _open(10 ether);
    }

    function _withdraw(uint192 balance) internal {
        bytes memory sig = _balanceSig(senderKey, ob, balance);
        vm.prank(receiver);
        channels.withdraw(sender, ob, balance, sig);
    }

    function test_withdraw_PaysDifferenceAndKeepsChannelOpen() public {
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelWithdraw(sender, receiver, ob, 3 ether);
        _withdraw(3 ether);
        assertEq(token.balanceOf(receiver), 3 ether);

        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelWithdraw(sender, receiver, ob, 2 ether);
        _withdraw(5 ether);
        assertEq(token.balanceOf(receiver), 5 ether);
        assertEq(token.balanceOf(CHANNELS), 5 ether);

        (uint192 deposit,,, uint192 withdrawn,) = _info(sender, receiver, ob);
        assertEq(deposit, 10 ether);
        assertEq(withdrawn, 5 ether);
    }

    function test_withdraw_UpToFullDeposit() public {
        _withdraw(10 ether);
        assertEq(token.balanceOf(receiver), 10 ether);
        assertEq(token.balanceOf(CHANNELS), 0);
    }

    function test_withdraw_AcceptsSessionSignerOnly() public {
        vm.roll(block.number + 1);
        uint32 sob = _openFrom(sender, receiver, 10 ether, session);
        bytes memory bySender = _balanceSig(senderKey, sob, 1 ether);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.InvalidBalanceProof.selector);
        channels.withdraw(sender, sob, 1 ether, bySender);

        bytes memory bySession = _balanceSig(sessionKey, sob, 1 ether);
        vm.prank(receiver);
        channels.withdraw(sender, sob, 1 ether, bySession);
        assertEq(token.balanceOf(receiver), 1 ether);
    }

    function test_withdraw_RevertWhen_CallerIsNotReceiver() public {
        bytes memory sig = _balanceSig(senderKey, ob, 1 ether);
        vm.prank(stranger);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.withdraw(sender, ob, 1 ether, sig);
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.withdraw(sender, ob, 1 ether, sig);
    }

    function test_withdraw_RevertWhen_BalanceNotIncreasing() public {
        _withdraw(3 ether);
        bytes memory same = _balanceSig(senderKey, ob, 3 ether);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.BalanceNotIncreasing.selector);
        channels.withdraw(sender, ob, 3 ether, same);
        bytes memory lower = _balanceSig(senderKey, ob, 2 ether);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.BalanceNotIncreasing.selector);
        channels.withdraw(sender, ob, 2 ether, lower);
    }

    function test_withdraw_RevertWhen_ZeroBalance() public {
        bytes memory sig = _balanceSig(senderKey, ob, 0);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.BalanceNotIncreasing.selector);
        channels.withdraw(sender, ob, 0, sig);
    }

    function test_withdraw_RevertWhen_BalanceExceedsDeposit() public {
        bytes memory sig = _balanceSig(senderKey, ob, 10 ether + 1);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.BalanceExceedsDeposit.selector);
        channels.withdraw(sender, ob, 10 ether + 1, sig);
    }

    function test_withdraw_RevertWhen_InChallengePeriod() public {
        vm.prank(sender);
        channels.uncooperativeClose(receiver, ob, 1 ether);
        bytes memory sig = _balanceSig(senderKey, ob, 2 ether);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.ChannelClosing.selector);
        channels.withdraw(sender, ob, 2 ether, sig);
    }

    function test_withdraw_RevertWhen_SignedByOtherKey() public {
        bytes memory sig = _balanceSig(strangerKey, ob, 1 ether);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.InvalidBalanceProof.selector);
        channels.withdraw(sender, ob, 1 ether, sig);
    }

    function test_withdraw_RevertWhen_ProofForOtherBalance() public {
        bytes memory sig = _balanceSig(senderKey, ob, 1 ether);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.InvalidBalanceProof.selector);
        channels.withdraw(sender, ob, 2 ether, sig);
    }

    function test_withdraw_RevertWhen_ChannelSettled() public {
        _withdraw(1 ether);
        vm.prank(receiver);
        channels.cooperativeClose(sender, receiver, ob, 2 ether, _balanceSig(senderKey, ob, 2 ether), _closingSig(receiverKey, ob, 2 ether));
        bytes memory sig = _balanceSig(senderKey, ob, 3 ether);
        vm.prank(receiver);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.withdraw(sender, ob, 3 ether, sig);
    }

    function testFuzz_withdraw_StrictlyIncreasingSequence(uint256 first, uint256 second) public {
        first = bound(first, 1, 10 ether - 1);
        second = bound(second, first + 1, 10 ether);
        _withdraw(uint192(first));
        _withdraw(uint192(second));
        assertEq(token.balanceOf(receiver), second);
        assertEq(token.balanceOf(CHANNELS), 10 ether - second);
    }
}

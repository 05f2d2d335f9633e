// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {MicroTransferChannels} from "../src/MicroTransferChannels.sol";
import {BigSupply} from "./mocks/BigSupply.sol";

contract TopUpTest is ChannelFixture {
    event ChannelToppedUp(
        address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 addedDeposit
    );

    uint32 internal ob;

    function setUp() public override {
        super.setUp();
        ob = _open(10 ether);
        vm.roll(block.number + 5);
    }

    function test_topUp_AddsDeposit() public {
        vm.startPrank(sender);
        token.approve(CHANNELS, 4 ether);
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelToppedUp(sender, receiver, ob, 4 ether);
        channels.topUp(receiver, ob, 4 ether);
        vm.stopPrank();
        (uint192 deposit,,,,) = _info(sender, receiver, ob);
        assertEq(deposit, 14 ether);
        assertEq(token.balanceOf(CHANNELS), 14 ether);
    }

    function test_topUpWithPermit_AddsDeposit() public {
        uint256 deadline = block.timestamp + 1;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(senderKey, CHANNELS, 4 ether, deadline);
        vm.prank(sender);
        channels.topUpWithPermit(receiver, ob, 4 ether, deadline, v, r, s);
        (uint192 deposit,,,,) = _info(sender, receiver, ob);
        assertEq(deposit, 14 ether);
        assertEq(token.allowance(sender, CHANNELS), 0);
    }

    function test_tokenFallback_TopsUp() public {
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelToppedUp(sender, receiver, ob, 4 ether);
        vm.prank(sender);
        token.transfer(CHANNELS, 4 ether, _topUpData(sender, receiver, ob));
        (uint192 deposit,,,,) = _info(sender, receiver, ob);
        assertEq(deposit, 14 ether);
        assertEq(token.balanceOf(CHANNELS), 14 ether);
    }

    function test_topUp_RevertWhen_WrongReceiver() public {
        vm.startPrank(sender);
        token.approve(CHANNELS, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.topUp(stranger, ob, 1 ether);
        vm.stopPrank();
    }

    function test_topUp_RevertWhen_WrongSender() public {
        vm.startPrank(stranger);
        token.approve(CHANNELS, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.topUp(receiver, ob, 1 ether);
        vm.stopPrank();
    }

    function test_topUp_RevertWhen_WrongOpenBlock() public {
        vm.startPrank(sender);
        token.approve(CHANNELS, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.topUp(receiver, ob + 1, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.topUp(receiver, 0, 1 ether);
        vm.stopPrank();
    }

    function test_topUp_RevertWhen_ZeroAmount() public {
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.ZeroAmount.selector);
        channels.topUp(receiver, ob, 0);
    }

    function test_topUp_RevertWhen_InChallengePeriod() public {
        vm.startPrank(sender);
        channels.uncooperativeClose(receiver, ob, 1 ether);
        token.approve(CHANNELS, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelClosing.selector);
        channels.topUp(receiver, ob, 1 ether);
        vm.stopPrank();
    }

    function test_topUp_RevertWhen_DepositOverflowsUint192() public {
        uint192 max = type(uint192).max;
        vm.startPrank(sender);
        BigSupply big = new BigSupply(max);
        MicroTransferChannels c = new MicroTransferChannels(address(big.token()), CHALLENGE_PERIOD);
        big.token().approve(address(c), max);
        c.createChannel(receiver, max - 1, address(0));
        c.topUp(receiver, uint32(block.number), 1);
        vm.expectRevert(MicroTransferChannels.DepositOverflow.selector);
        c.topUp(receiver, uint32(block.number), 1);
        vm.stopPrank();
    }

    function test_tokenFallback_TopUp_RevertWhen_WrongSenderReceiverOrBlock() public {
        vm.startPrank(sender);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        token.transfer(CHANNELS, 1 ether, _topUpData(sender, stranger, ob));
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        token.transfer(CHANNELS, 1 ether, _topUpData(sender, receiver, ob - 1));
        vm.expectRevert(MicroTransferChannels.SenderMismatch.selector);
        token.transfer(CHANNELS, 1 ether, _topUpData(stranger, receiver, ob));
        vm.expectRevert(MicroTransferChannels.ZeroAmount.selector);
        token.transfer(CHANNELS, 0, _topUpData(sender, receiver, ob));
        vm.stopPrank();
    }

    function test_tokenFallback_TopUp_RevertWhen_InChallengePeriod() public {
        vm.startPrank(sender);
        channels.uncooperativeClose(receiver, ob, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelClosing.selector);
        token.transfer(CHANNELS, 1 ether, _topUpData(sender, receiver, ob));
        vm.stopPrank();
    }

    function test_topUp_RevertWhen_ChannelSettled() public {
        vm.prank(receiver);
        channels.cooperativeClose(sender, receiver, ob, 1 ether, _balanceSig(senderKey, ob, 1 ether), _closingSig(receiverKey, ob, 1 ether));
        vm.startPrank(sender);
        token.approve(CHANNELS, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelNotFound.selector);
        channels.topUp(receiver, ob, 1 ether);
        vm.stopPrank();
    }

    function testFuzz_topUp_SumsDeposits(uint256 a, uint256 b) public {
        a = bound(a, 1, FUNDS / 4);
        b = bound(b, 1, FUNDS / 4);
        vm.startPrank(sender);
        token.approve(CHANNELS, a);
        channels.topUp(receiver, ob, uint192(a));
        token.transfer(CHANNELS, b, _topUpData(sender, receiver, ob));
        vm.stopPrank();
        (uint192 deposit,,,,) = _info(sender, receiver, ob);
        assertEq(deposit, 10 ether + a + b);
        assertEq(token.balanceOf(CHANNELS), deposit);
    }
}

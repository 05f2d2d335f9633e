// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {MicroTransferChannels} from "../src/MicroTransferChannels.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {NoReturnToken} from "./mocks/NoReturnToken.sol";
import {FalseReturnToken} from "./mocks/FalseReturnToken.sol";
import {BigSupply} from "./mocks/BigSupply.sol";

contract CreateChannelTest is ChannelFixture {
    event ChannelCreated(
        address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 deposit, address signer
    );

    function test_createChannel_PullsDepositAndStoresChannel() public {
        vm.startPrank(sender);
        token.approve(CHANNELS, 10 ether);
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelCreated(sender, receiver, uint32(block.number), 10 ether, sender);
        channels.createChannel(receiver, 10 ether, address(0));
        vm.stopPrank();

        (bytes32 key, uint192 deposit, uint32 settleAt, uint192 closing, uint192 withdrawn, address signer) =
            channels.getChannelInfo(sender, receiver, uint32(block.number));
        assertEq(key, channels.getKey(sender, receiver, uint32(block.number)));
        assertEq(deposit, 10 ether);
        assertEq(settleAt, 0);
        assertEq(closing, 0);
        assertEq(withdrawn, 0);
        assertEq(signer, sender, "effective signer is the sender");
        assertEq(token.balanceOf(CHANNELS), 10 ether);
        assertEq(token.balanceOf(sender), FUNDS - 10 ether);
    }

    function test_createChannel_WithSessionSigner() public {
        vm.startPrank(sender);
        token.approve(CHANNELS, 1 ether);
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelCreated(sender, receiver, uint32(block.number), 1 ether, session);
        channels.createChannel(receiver, 1 ether, session);
        vm.stopPrank();
        (,,,, address signer) = _info(sender, receiver, uint32(block.number));
        assertEq(signer, session);
    }

    function test_createChannel_SignerEqualToSenderIsDefault() public {
        uint32 ob = _openFrom(sender, receiver, 1 ether, sender);
        (,,,, address signer) = _info(sender, receiver, ob);
        assertEq(signer, sender);
    }

    function test_createChannel_ZeroDepositAllowed() public {
        vm.prank(sender);
        channels.createChannel(receiver, 0, address(0));
        (uint192 deposit,,,,) = _info(sender, receiver, uint32(block.number));
        assertEq(deposit, 0);
    }

    function test_createChannel_OnePerPairPerBlock() public {
        _open(1 ether);
        vm.startPrank(sender);
        token.approve(CHANNELS, 1 ether);
        vm.expectRevert(MicroTransferChannels.ChannelExists.selector);
        channels.createChannel(receiver, 1 ether, address(0));
        vm.stopPrank();

        // Other pairs in the same block, and the same pair in the next block, are fine.
        _openFrom(sender, stranger, 1 ether, address(0));
        _openFrom(stranger, receiver, 1 ether, address(0));
        vm.roll(block.number + 1);
        _open(1 ether);
        (uint192 d1,,,,) = _info(sender, receiver, uint32(block.number - 1));
        (uint192 d2,,,,) = _info(sender, receiver, uint32(block.number));
        assertEq(d1 + d2, 2 ether);
    }

    function test_createChannel_RevertWhen_ZeroDepositChannelExistsInBlock() public {
        vm.startPrank(sender);
        channels.createChannel(receiver, 0, address(0));
        vm.expectRevert(MicroTransferChannels.ChannelExists.selector);
        channels.createChannel(receiver, 0, address(0));
        vm.stopPrank();
    }

    function test_createChannel_RevertWhen_NoAllowance() public {
        vm.prank(sender);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, CHANNELS, 0, 1 ether)
        );
        channels.createChannel(receiver, 1 ether, address(0));
    }

    function test_createChannel_RevertWhen_InsufficientBalance() public {
        address poor = makeAddr("poor");
        vm.startPrank(poor);
        token.approve(CHANNELS, 1);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, poor, 0, 1));
        channels.createChannel(receiver, 1, address(0));
        vm.stopPrank();
    }

    function test_createChannel_AcceptsUint192MaxDeposit() public {
        uint192 max = type(uint192).max;
        vm.startPrank(sender);
        BigSupply big = new BigSupply(max);
        MicroTransferChannels c = new MicroTransferChannels(address(big.token()), CHALLENGE_PERIOD);
        big.token().approve(address(c), max);
        c.createChannel(receiver, max, address(0));
        vm.stopPrank();
        (, uint192 deposit,,,,) = c.getChannelInfo(sender, receiver, uint32(block.number));
        assertEq(deposit, max);
    }

    function test_createChannel_RevertWhen_DepositAboveUint192() public {
        vm.prank(sender);
        (bool ok,) = CHANNELS.call(
            abi.encodeWithSelector(
                MicroTransferChannels.createChannel.selector, receiver, uint256(type(uint192).max) + 1, address(0)
            )
        );
        assertFalse(ok);
    }

    function test_createChannelWithPermit_OpensInOneTransaction() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(senderKey, CHANNELS, 5 ether, deadline);
        vm.prank(sender);
        channels.createChannelWithPermit(receiver, 5 ether, session, deadline, v, r, s);
        (uint192 deposit,,,, address signer) = _info(sender, receiver, uint32(block.number));
        assertEq(deposit, 5 ether);
        assertEq(signer, session);
        assertEq(token.allowance(sender, CHANNELS), 0);
        assertEq(token.nonces(sender), 1);
        assertEq(token.balanceOf(CHANNELS), 5 ether);
    }

    function test_createChannelWithPermit_SucceedsWhenPermitWasFrontRun() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(senderKey, CHANNELS, 5 ether, deadline);
        // Anyone can submit the permit first; the open must still go through on the allowance.
        vm.prank(stranger);
        token.permit(sender, CHANNELS, 5 ether, deadline, v, r, s);
        vm.prank(sender);
        channels.createChannelWithPermit(receiver, 5 ether, address(0), deadline, v, r, s);
        (uint192 deposit,,,,) = _info(sender, receiver, uint32(block.number));
        assertEq(deposit, 5 ether);
    }

    function test_createChannelWithPermit_RevertWhen_PermitInvalidAndNoAllowance() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(strangerKey, CHANNELS, 5 ether, deadline);
        vm.prank(sender);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, CHANNELS, 0, 5 ether)
        );
        channels.createChannelWithPermit(receiver, 5 ether, address(0), deadline, v, r, s);
    }

    function test_tokenFallback_CreatesChannel() public {
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelCreated(sender, receiver, uint32(block.number), 3 ether, sender);
        vm.prank(sender);
        token.transfer(CHANNELS, 3 ether, _createData(sender, receiver));
        (uint192 deposit,,,, address signer) = _info(sender, receiver, uint32(block.number));
        assertEq(deposit, 3 ether);
        assertEq(signer, sender);
        assertEq(token.balanceOf(CHANNELS), 3 ether);
    }

    function test_tokenFallback_CreatesChannelWithSigner() public {
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelCreated(sender, receiver, uint32(block.number), 3 ether, session);
        vm.prank(sender);
        token.transfer(CHANNELS, 3 ether, _createData(sender, receiver, session));
        (,,,, address signer) = _info(sender, receiver, uint32(block.number));
        assertEq(signer, session);
    }

    function test_tokenFallback_CreatesZeroDepositChannel() public {
        vm.prank(sender);
        token.transfer(CHANNELS, 0, _createData(sender, receiver));
        (uint192 deposit,,,,) = _info(sender, receiver, uint32(block.number));
        assertEq(deposit, 0);
    }

    function test_tokenFallback_RevertWhen_ChannelExistsInBlock() public {
        vm.startPrank(sender);
        token.transfer(CHANNELS, 1 ether, _createData(sender, receiver));
        vm.expectRevert(MicroTransferChannels.ChannelExists.selector);
        token.transfer(CHANNELS, 1 ether, _createData(sender, receiver));
        vm.stopPrank();
    }

    function test_tokenFallback_RevertWhen_CallerIsNotToken() public {
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.OnlyToken.selector);
        channels.tokenFallback(sender, 1 ether, _createData(sender, receiver));
    }

    function test_tokenFallback_RevertWhen_FromIsNotTheSender() public {
        vm.prank(stranger);
        vm.expectRevert(MicroTransferChannels.SenderMismatch.selector);
        token.transfer(CHANNELS, 1 ether, _createData(sender, receiver));
    }

    function test_tokenFallback_RevertWhen_ValueAboveUint192() public {
        vm.prank(address(token));
        vm.expectRevert(MicroTransferChannels.DepositOverflow.selector);
        channels.tokenFallback(sender, uint256(type(uint192).max) + 1, _createData(sender, receiver));
    }

    function testFuzz_tokenFallback_RevertWhen_DataLengthWrong(uint256 length) public {
        length = bound(length, 0, 200);
        vm.assume(length != 40 && length != 44 && length != 60);
        bytes memory data = new bytes(length);
        vm.prank(sender);
        vm.expectRevert(MicroTransferChannels.InvalidData.selector);
        token.transfer(CHANNELS, 1 ether, data);
    }

    function testFuzz_createChannel_AnyDeposit(uint256 deposit, address signer) public {
        deposit = bound(deposit, 0, FUNDS);
        vm.assume(signer != address(0) && signer != sender);
        uint32 ob = _openFrom(sender, receiver, uint192(deposit), signer);
        (uint192 stored,,,, address effective) = _info(sender, receiver, ob);
        assertEq(stored, deposit);
        assertEq(effective, signer);
        assertEq(token.balanceOf(CHANNELS), deposit);
    }

    function test_createChannel_WorksWithTokenWithoutReturnValues() public {
        NoReturnToken usdt = new NoReturnToken();
        MicroTransferChannels c = new MicroTransferChannels(address(usdt), CHALLENGE_PERIOD);
        usdt.mint(sender, 100);
        vm.startPrank(sender);
        usdt.approve(address(c), 100);
        c.createChannel(receiver, 100, address(0));
        c.uncooperativeClose(receiver, uint32(block.number), 40);
        vm.roll(block.number + CHALLENGE_PERIOD + 1);
        c.settle(receiver, uint32(block.number - CHALLENGE_PERIOD - 1));
        vm.stopPrank();
        assertEq(usdt.balanceOf(receiver), 40);
        assertEq(usdt.balanceOf(sender), 60);
    }

    function test_createChannel_RevertWhen_TokenReturnsFalse() public {
        FalseReturnToken bad = new FalseReturnToken();
        MicroTransferChannels c = new MicroTransferChannels(address(bad), CHALLENGE_PERIOD);
        vm.prank(sender);
        vm.expectRevert(); // SafeERC20FailedOperation
        c.createChannel(receiver, 1, address(0));
    }
}


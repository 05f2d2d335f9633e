// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {RelayFixture} from "./utils/RelayFixture.sol";
import {MicroTransferChannels} from "../src/MicroTransferChannels.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

/// @notice createChannelFor: a relayer opens a channel with the sender's EIP-2612 permit and OpenIntent
/// (DemoToken stands for a permit-only token).
contract CreateChannelForTest is RelayFixture {
    event ChannelCreated(
        address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 deposit, address signer
    );

    struct Intent {
        address receiver;
        uint192 deposit;
        address signer;
        uint256 deadline;
        bytes sig;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// The sender's permit (for CHANNELS, `deposit`) and OpenIntent at its current nonce, deadline now + 1 hour.
    function _intent(address to, uint192 deposit, address signer) internal view returns (Intent memory i) {
        i.receiver = to;
        i.deposit = deposit;
        i.signer = signer;
        i.deadline = block.timestamp + 1 hours;
        i.sig = _intentSig(senderKey, CHANNELS, to, signer, deposit, i.deadline, channels.openIntentNonces(sender));
        (i.v, i.r, i.s) = _permitSig(senderKey, CHANNELS, deposit, i.deadline);
    }

    function _submit(Intent memory i) internal {
        channels.createChannelFor(sender, i.receiver, i.deposit, i.signer, i.deadline, i.sig, i.v, i.r, i.s);
    }

    function test_createChannelFor_RelayerOpensForSender() public {
        Intent memory i = _intent(receiver, 5 ether, address(0));
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelCreated(sender, receiver, uint32(block.number), 5 ether, sender);
        vm.prank(relayer);
        _submit(i);
        (bytes32 key, uint192 deposit, uint32 settleAt, uint192 closing, uint192 withdrawn, address signer) =
            channels.getChannelInfo(sender, receiver, uint32(block.number));
        assertEq(key, channels.getKey(sender, receiver, uint32(block.number)));
        assertEq(deposit, 5 ether);
        assertEq(settleAt, 0);
        assertEq(closing, 0);
        assertEq(withdrawn, 0);
        assertEq(signer, sender);
        assertEq(token.balanceOf(CHANNELS), 5 ether);
        assertEq(token.balanceOf(sender), FUNDS - 5 ether);
        assertEq(token.allowance(sender, CHANNELS), 0);
        assertEq(token.nonces(sender), 1);
        assertEq(channels.openIntentNonces(sender), 1);
        assertEq(channels.openIntentNonces(relayer), 0);
    }

    function test_createChannelFor_WithSessionSigner() public {
        Intent memory i = _intent(receiver, 5 ether, session);
        vm.expectEmit(true, true, true, true, CHANNELS);
        emit ChannelCreated(sender, receiver, uint32(block.number), 5 ether, session);
        vm.prank(relayer);
        _submit(i);
        (,,,, address signer) = _info(sender, receiver, uint32(block.number));
        assertEq(signer, session);
    }

    function test_createChannelFor_ZeroDepositAllowed() public {
        Intent memory i = _intent(receiver, 0, address(0));
        _submit(i);
        (uint192 deposit,,,,) = _info(sender, receiver, uint32(block.number));
        assertEq(deposit, 0);
        assertEq(channels.openIntentNonces(sender), 1);
    }

    function test_createChannelFor_NoncesCountUp() public {
        _submit(_intent(receiver, 1 ether, address(0)));
        vm.roll(block.number + 1);
        _submit(_intent(receiver, 1 ether, address(0)));
        _submit(_intent(stranger, 1 ether, address(0)));
        assertEq(channels.openIntentNonces(sender), 3);
    }

    function test_createChannelFor_ValidAtExactlyTheDeadline() public {
        Intent memory i = _intent(receiver, 1 ether, address(0));
        vm.warp(i.deadline);
        _submit(i);
        (uint192 deposit,,,,) = _info(sender, receiver, uint32(block.number));
        assertEq(deposit, 1 ether);
    }

    function test_createChannelFor_SucceedsWhenPermitWasFrontRun() public {
        Intent memory i = _intent(receiver, 5 ether, address(0));
        vm.prank(stranger);
        token.permit(sender, CHANNELS, 5 ether, i.deadline, i.v, i.r, i.s);
        vm.prank(relayer);
        _submit(i);
        (uint192 deposit,,,,) = _info(sender, receiver, uint32(block.number));
        assertEq(deposit, 5 ether);
    }

    function test_createChannelFor_UsesAnExistingAllowanceWithoutPermit() public {
        vm.prank(sender);
        token.approve(CHANNELS, 5 ether);
        Intent memory i = _intent(receiver, 5 ether, address(0));
        (i.v, i.r, i.s) = (27, bytes32(0), bytes32(0));
        _submit(i);
        (uint192 deposit,,,,) = _info(sender, receiver, uint32(block.number));
        assertEq(deposit, 5 ether);
    }

    function test_createChannelFor_WorksOnDemoDollar() public {
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _intentSig(senderKey, DOLLAR_CHANNELS, receiver, address(0), 5e6, deadline, 0);
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, sender, DOLLAR_CHANNELS, uint256(5e6), uint256(0), deadline));
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(senderKey, keccak256(abi.encodePacked("\x19\x01", dollar.DOMAIN_SEPARATOR(), structHash)));
        vm.prank(relayer);
        dollarChannels.createChannelFor(sender, receiver, 5e6, address(0), deadline, sig, v, r, s);
        (, uint192 deposit,,,,) = dollarChannels.getChannelInfo(sender, receiver, uint32(block.number));
        assertEq(deposit, 5e6);
        assertEq(dollar.balanceOf(DOLLAR_CHANNELS), 5e6);
    }

    function test_createChannelFor_RevertWhen_RelayerChangesReceiverSignerOrDeposit() public {
        Intent memory i = _intent(receiver, 5 ether, session);
        vm.startPrank(relayer);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        channels.createChannelFor(sender, stranger, 5 ether, session, i.deadline, i.sig, i.v, i.r, i.s);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        channels.createChannelFor(sender, receiver, 5 ether, relayer, i.deadline, i.sig, i.v, i.r, i.s);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        channels.createChannelFor(sender, receiver, 5 ether, address(0), i.deadline, i.sig, i.v, i.r, i.s);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        channels.createChannelFor(sender, receiver, 4 ether, session, i.deadline, i.sig, i.v, i.r, i.s);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        channels.createChannelFor(sender, receiver, 5 ether, session, i.deadline + 1, i.sig, i.v, i.r, i.s);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        channels.createChannelFor(stranger, receiver, 5 ether, session, i.deadline, i.sig, i.v, i.r, i.s);
        vm.stopPrank();
        assertEq(channels.openIntentNonces(sender), 0);
    }

    function test_createChannelFor_RevertWhen_Replayed() public {
        Intent memory i = _intent(receiver, 1 ether, address(0));
        vm.prank(sender);
        token.approve(CHANNELS, 10 ether); // allowance left for a replay to spend, were it accepted
        _submit(i);
        vm.roll(block.number + 1);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        _submit(i);
    }

    function test_createChannelFor_RevertWhen_Expired() public {
        Intent memory i = _intent(receiver, 1 ether, address(0));
        vm.warp(i.deadline + 1);
        vm.expectRevert(MicroTransferChannels.OpenIntentExpired.selector);
        _submit(i);
    }

    function test_createChannelFor_RevertWhen_SignedByAnotherKey() public {
        Intent memory i = _intent(receiver, 1 ether, address(0));
        i.sig = _intentSig(strangerKey, CHANNELS, receiver, address(0), 1 ether, i.deadline, 0);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        _submit(i);
    }

    function test_createChannelFor_RevertWhen_SignedForAnotherContract() public {
        Intent memory i = _intent(receiver, 1 ether, address(0));
        i.sig = _intentSig(senderKey, DOLLAR_CHANNELS, receiver, address(0), 1 ether, i.deadline, 0);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        _submit(i);
    }

    function test_createChannelFor_RevertWhen_FutureNonce() public {
        Intent memory i = _intent(receiver, 1 ether, address(0));
        i.sig = _intentSig(senderKey, CHANNELS, receiver, address(0), 1 ether, i.deadline, 1);
        vm.expectRevert(MicroTransferChannels.InvalidOpenIntent.selector);
        _submit(i);
    }

    function test_createChannelFor_RevertWhen_IntentSignatureMalformed() public {
        Intent memory i = _intent(receiver, 1 ether, address(0));
        bytes memory sig = i.sig;
        i.sig = new bytes(64);
        vm.expectRevert(MicroTransferChannels.InvalidSignatureLength.selector);
        _submit(i);
        // high s: the malleable twin of a valid signature is refused
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
        i.sig = abi.encodePacked(
            r,
            bytes32(0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141 - uint256(s)),
            v == 27 ? uint8(28) : uint8(27)
        );
        vm.expectRevert(MicroTransferChannels.InvalidSignatureS.selector);
        _submit(i);
    }

    function test_createChannelFor_RevertWhen_PermitInvalidAndNoAllowance() public {
        Intent memory i = _intent(receiver, 5 ether, address(0));
        (i.v, i.r, i.s) = _permitSig(strangerKey, CHANNELS, 5 ether, i.deadline);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, CHANNELS, 0, 5 ether)
        );
        _submit(i);
        assertEq(channels.openIntentNonces(sender), 0, "a reverted open leaves the nonce unused");
    }

    function test_createChannelFor_RevertWhen_ChannelExistsInBlock() public {
        _open(1 ether);
        Intent memory i = _intent(receiver, 1 ether, address(0));
        vm.expectRevert(MicroTransferChannels.ChannelExists.selector);
        _submit(i);
    }

    function testFuzz_createChannelFor_AnyDepositAndSigner(uint256 deposit, address signer) public {
        deposit = bound(deposit, 0, FUNDS);
        Intent memory i = _intent(receiver, uint192(deposit), signer);
        vm.prank(relayer);
        _submit(i);
        (uint192 stored,,,, address effective) = _info(sender, receiver, uint32(block.number));
        assertEq(stored, deposit);
        assertEq(effective, signer == address(0) ? sender : signer);
        assertEq(token.balanceOf(CHANNELS), deposit);
    }
}

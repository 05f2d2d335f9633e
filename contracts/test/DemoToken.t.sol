// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "./utils/Test.sol";
import {DemoToken, IERC223Recipient} from "../src/DemoToken.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract RevertingRecipient is IERC223Recipient {
    function tokenFallback(address, uint256, bytes calldata) external pure {
        revert("no");
    }
}

contract RecordingRecipient is IERC223Recipient {
    address public from;
    uint256 public value;
    bytes public data;

    function tokenFallback(address from_, uint256 value_, bytes calldata data_) external {
        (from, value, data) = (from_, value_, data_);
    }
}

contract DemoTokenTest is Test {
    DemoToken internal token;
    address internal alice;
    uint256 internal aliceKey;
    address internal bob = address(0xB0B);

    function setUp() public {
        (alice, aliceKey) = makeKey("alice");
        vm.prank(alice);
        token = new DemoToken(1000 ether);
    }

    function test_constructor_MintsInitialSupplyToDeployer() public view {
        assertEq(token.totalSupply(), 1000 ether);
        assertEq(token.balanceOf(alice), 1000 ether);
        assertEq(token.name(), "Demo Token");
        assertEq(token.symbol(), "TKN");
        assertEq(token.decimals(), 18);
    }

    function test_mint_Credits50TokensPerTenthEth() public {
        vm.deal(bob, 1 ether);
        vm.prank(bob);
        token.mint{value: 0.1 ether}();
        assertEq(token.balanceOf(bob), 50 ether);
        vm.prank(bob);
        token.mint{value: 0.25 ether}();
        assertEq(token.balanceOf(bob), 175 ether);
        assertEq(token.totalSupply(), 1175 ether);
    }

    function test_mint_RevertWhen_BelowTenthEth() public {
        vm.deal(bob, 1 ether);
        vm.prank(bob);
        vm.expectRevert(DemoToken.MintValueTooLow.selector);
        token.mint{value: 0.1 ether - 1}();
    }

    function test_transfer_MovesBalance() public {
        vm.prank(alice);
        assertTrue(token.transfer(bob, 1 ether));
        assertEq(token.balanceOf(bob), 1 ether);
        assertEq(token.balanceOf(alice), 999 ether);
    }

    function test_transfer_RevertWhen_InsufficientBalance() public {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, bob, 0, 1));
        token.transfer(alice, 1);
    }

    function test_transferErc223_CallsTokenFallback() public {
        RecordingRecipient r = new RecordingRecipient();
        vm.prank(alice);
        token.transfer(address(r), 2 ether, hex"c0ffee");
        assertEq(r.from(), alice);
        assertEq(r.value(), 2 ether);
        assertEq(r.data(), hex"c0ffee");
        assertEq(token.balanceOf(address(r)), 2 ether);
    }

    function test_transferErc223_ToEoaSkipsFallback() public {
        vm.prank(alice);
        token.transfer(bob, 2 ether, hex"c0ffee");
        assertEq(token.balanceOf(bob), 2 ether);
    }

    function test_transferErc223_RevertWhen_FallbackReverts() public {
        RevertingRecipient r = new RevertingRecipient();
        vm.prank(alice);
        vm.expectRevert(bytes("no"));
        token.transfer(address(r), 1, "");
    }

    function test_transferFrom_SpendsAllowance() public {
        vm.prank(alice);
        token.approve(bob, 3 ether);
        vm.prank(bob);
        token.transferFrom(alice, bob, 2 ether);
        assertEq(token.allowance(alice, bob), 1 ether);
        vm.prank(bob);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, bob, 1 ether, 2 ether)
        );
        token.transferFrom(alice, bob, 2 ether);
    }

    function test_permit_SetsAllowanceAndBumpsNonceWithoutTouchingBalance() public {
        uint256 deadline = block.timestamp + 1;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                alice,
                bob,
                7 ether,
                0,
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(aliceKey, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        token.permit(alice, bob, 7 ether, deadline, v, r, s);
        assertEq(token.allowance(alice, bob), 7 ether);
        assertEq(token.nonces(alice), 1);
        assertEq(token.balanceOf(alice), 1000 ether, "nonce shares the slot but not the bits");
        // replay fails: the nonce moved on
        vm.expectRevert();
        token.permit(alice, bob, 7 ether, deadline, v, r, s);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(DemoToken.ERC2612ExpiredSignature.selector, deadline));
        token.permit(alice, bob, 7 ether, deadline, v, r, s);
    }

    function testFuzz_transfer_ConservesSupply(uint256 amount, address to) public {
        vm.assume(to != address(0));
        amount = bound(amount, 0, 1000 ether);
        vm.prank(alice);
        token.transfer(to, amount);
        uint256 sum = to == alice ? token.balanceOf(alice) : token.balanceOf(alice) + token.balanceOf(to);
        assertEq(sum, 1000 ether);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "./utils/Test.sol";
import {DemoDollar} from "../src/DemoDollar.sol";
import {IERC223Recipient} from "../src/DemoToken.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

contract RecordingDollarRecipient is IERC223Recipient {
    address public from;
    uint256 public value;
    bytes public data;

    function tokenFallback(address from_, uint256 value_, bytes calldata data_) external {
        (from, value, data) = (from_, value_, data_);
    }
}

contract RevertingDollarRecipient is IERC223Recipient {
    function tokenFallback(address, uint256, bytes calldata) external pure {
        revert("no");
    }
}

contract DemoDollarTest is Test {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    // USDC's (FiatTokenV2) type hashes, written out so that a typo in the contract's strings fails here.
    bytes32 internal constant TRANSFER_TYPEHASH = 0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267;
    bytes32 internal constant RECEIVE_TYPEHASH = 0xd099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8;
    bytes32 internal constant CANCEL_TYPEHASH = 0x158b0a9edf7a828aad02f63cd515c68ef2f50ba807396f6d12842833a1597429;
    bytes32 internal constant PERMIT_TYPEHASH = 0x6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9;
    uint256 internal constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    uint256 internal constant N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;

    DemoDollar internal token;
    address internal deployer = address(0xD0D0);
    address internal alice;
    uint256 internal aliceKey;
    address internal mallory;
    uint256 internal malloryKey;
    address internal bob = address(0xB0B);
    address internal relayer = address(0x5E1A7);

    uint256 internal constant NOW = 1_700_000_000;

    function setUp() public {
        vm.warp(NOW);
        (alice, aliceKey) = makeKey("alice");
        (mallory, malloryKey) = makeKey("mallory");
        vm.prank(deployer);
        token = new DemoDollar(0);
        vm.prank(deployer);
        token.mintTo(alice, 1000e6);
    }

    // ---------------------------------------------------------------- signing helpers
    function _digest(bytes32 structHash) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
    }

    function _auth(
        uint256 key,
        bytes32 typehash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce
    ) internal view returns (uint8 v, bytes32 r, bytes32 s) {
        return vm.sign(key, _digest(keccak256(abi.encode(typehash, from, to, value, validAfter, validBefore, nonce))));
    }

    function _cancelSig(uint256 key, address authorizer, bytes32 nonce)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        return vm.sign(key, _digest(keccak256(abi.encode(CANCEL_TYPEHASH, authorizer, nonce))));
    }

    function _permitSig(uint256 key, address owner, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        return vm.sign(key, _digest(keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline))));
    }

    /// alice → bob, 10 dUSD, valid (NOW - 1, NOW + 1 hour), signed with TransferWithAuthorization.
    function _transferAuth(bytes32 nonce) internal view returns (uint8, bytes32, bytes32) {
        return _auth(aliceKey, TRANSFER_TYPEHASH, alice, bob, 10e6, NOW - 1, NOW + 1 hours, nonce);
    }

    // ---------------------------------------------------------------- metadata, domain
    function test_constructor_MetadataAndMinter() public view {
        assertEq(token.name(), "Demo Dollar");
        assertEq(token.symbol(), "dUSD");
        assertEq(token.decimals(), 6);
        assertEq(token.version(), "2");
        assertEq(token.minter(), deployer);
        assertEq(token.totalSupply(), 1000e6);
        assertEq(token.balanceOf(alice), 1000e6);
    }

    function test_constructor_MintsInitialSupplyToDeployer() public {
        vm.prank(bob);
        DemoDollar other = new DemoDollar(7e6);
        assertEq(other.balanceOf(bob), 7e6);
        assertEq(other.totalSupply(), 7e6);
        assertEq(other.minter(), bob);
    }

    function test_eip712Domain_IsDemoDollarVersion2() public view {
        (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        ) = token.eip712Domain();
        assertEq(uint8(fields), 0x0f);
        assertEq(name, "Demo Dollar");
        assertEq(version, "2");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, address(token));
        assertEq(salt, bytes32(0));
        assertEq(extensions.length, 0);
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Demo Dollar"),
                keccak256("2"),
                block.chainid,
                address(token)
            )
        );
        assertEq(token.DOMAIN_SEPARATOR(), expected);
    }

    function test_typehashes_MatchUsdc() public view {
        assertEq(token.TRANSFER_WITH_AUTHORIZATION_TYPEHASH(), TRANSFER_TYPEHASH);
        assertEq(token.RECEIVE_WITH_AUTHORIZATION_TYPEHASH(), RECEIVE_TYPEHASH);
        assertEq(token.CANCEL_AUTHORIZATION_TYPEHASH(), CANCEL_TYPEHASH);
        assertEq(token.PERMIT_TYPEHASH(), PERMIT_TYPEHASH);
    }

    // ---------------------------------------------------------------- mint, faucet
    function test_mint_Credits50DollarsPerTenthEth() public {
        vm.deal(bob, 1 ether);
        vm.prank(bob);
        token.mint{value: 0.1 ether}();
        assertEq(token.balanceOf(bob), 50e6);
        vm.prank(bob);
        token.mint{value: 0.25 ether}();
        assertEq(token.balanceOf(bob), 175e6);
        assertEq(token.totalSupply(), 1175e6);
    }

    function test_mint_RoundsDown() public {
        uint256 value = 0.1 ether + token.WEI_PER_UNIT() - 1;
        vm.deal(bob, 1 ether);
        vm.prank(bob);
        token.mint{value: value}();
        assertEq(token.balanceOf(bob), 50e6);
    }

    function test_mint_RevertWhen_BelowTenthEth() public {
        vm.deal(bob, 1 ether);
        vm.prank(bob);
        vm.expectRevert(DemoDollar.MintValueTooLow.selector);
        token.mint{value: 0.1 ether - 1}();
    }

    function test_mintTo_MinterCreditsAnyone() public {
        vm.expectEmit(true, true, true, true, address(token));
        emit Transfer(address(0), bob, 5e6);
        vm.prank(deployer);
        token.mintTo(bob, 5e6);
        assertEq(token.balanceOf(bob), 5e6);
        assertEq(token.totalSupply(), 1005e6);
    }

    function test_mintTo_RevertWhen_NotMinter() public {
        vm.prank(alice);
        vm.expectRevert(DemoDollar.NotMinter.selector);
        token.mintTo(alice, 1);
    }

    function test_mintTo_RevertWhen_ToZeroAddress() public {
        vm.prank(deployer);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        token.mintTo(address(0), 1);
    }

    function test_mintTo_RevertWhen_SupplyAboveUint192() public {
        vm.prank(deployer);
        vm.expectRevert(DemoDollar.SupplyOverflow.selector);
        token.mintTo(bob, uint256(type(uint192).max));
    }

    // ---------------------------------------------------------------- ERC-20, ERC-223
    function test_transfer_MovesBalance() public {
        vm.prank(alice);
        assertTrue(token.transfer(bob, 1e6));
        assertEq(token.balanceOf(bob), 1e6);
        assertEq(token.balanceOf(alice), 999e6);
    }

    function test_transfer_RevertWhen_InsufficientBalance() public {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, bob, 0, 1));
        token.transfer(alice, 1);
    }

    function test_transferFrom_SpendsAllowance() public {
        vm.prank(alice);
        token.approve(bob, 3e6);
        vm.prank(bob);
        token.transferFrom(alice, bob, 2e6);
        assertEq(token.allowance(alice, bob), 1e6);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, bob, 1e6, 2e6));
        token.transferFrom(alice, bob, 2e6);
    }

    function test_transferFrom_InfiniteAllowanceIsNotSpent() public {
        vm.prank(alice);
        token.approve(bob, type(uint256).max);
        vm.prank(bob);
        token.transferFrom(alice, bob, 2e6);
        assertEq(token.allowance(alice, bob), type(uint256).max);
    }

    function test_transferErc223_CallsTokenFallback() public {
        RecordingDollarRecipient r = new RecordingDollarRecipient();
        vm.prank(alice);
        token.transfer(address(r), 2e6, hex"c0ffee");
        assertEq(r.from(), alice);
        assertEq(r.value(), 2e6);
        assertEq(r.data(), hex"c0ffee");
        assertEq(token.balanceOf(address(r)), 2e6);
    }

    function test_transferErc223_ToEoaSkipsFallback() public {
        vm.prank(alice);
        token.transfer(bob, 2e6, hex"c0ffee");
        assertEq(token.balanceOf(bob), 2e6);
    }

    function test_transferErc223_RevertWhen_FallbackReverts() public {
        RevertingDollarRecipient r = new RevertingDollarRecipient();
        vm.prank(alice);
        vm.expectRevert(bytes("no"));
        token.transfer(address(r), 1, "");
    }

    function testFuzz_transfer_ConservesSupply(uint256 amount, address to) public {
        vm.assume(to != address(0));
        amount = bound(amount, 0, 1000e6);
        vm.prank(alice);
        token.transfer(to, amount);
        uint256 sum = to == alice ? token.balanceOf(alice) : token.balanceOf(alice) + token.balanceOf(to);
        assertEq(sum, 1000e6);
    }

    // ---------------------------------------------------------------- EIP-2612 permit
    function test_permit_SetsAllowanceAndBumpsNonceWithoutTouchingBalance() public {
        uint256 deadline = NOW + 1;
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(aliceKey, alice, bob, 7e6, 0, deadline);
        vm.prank(relayer);
        token.permit(alice, bob, 7e6, deadline, v, r, s);
        assertEq(token.allowance(alice, bob), 7e6);
        assertEq(token.nonces(alice), 1);
        assertEq(token.balanceOf(alice), 1000e6, "nonce shares the slot but not the bits");
    }

    function test_permit_ValidAtExactlyTheDeadline() public {
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(aliceKey, alice, bob, 7e6, 0, NOW);
        token.permit(alice, bob, 7e6, NOW, v, r, s);
        assertEq(token.allowance(alice, bob), 7e6);
    }

    function test_permit_RevertWhen_Replayed() public {
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(aliceKey, alice, bob, 7e6, 0, NOW + 1);
        token.permit(alice, bob, 7e6, NOW + 1, v, r, s);
        // The nonce moved on: the same signature now recovers to some other address.
        vm.expectPartialRevert(DemoDollar.ERC2612InvalidSigner.selector);
        token.permit(alice, bob, 7e6, NOW + 1, v, r, s);
    }

    function test_permit_RevertWhen_Expired() public {
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(aliceKey, alice, bob, 7e6, 0, NOW - 1);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC2612ExpiredSignature.selector, NOW - 1));
        token.permit(alice, bob, 7e6, NOW - 1, v, r, s);
    }

    function test_permit_RevertWhen_SignedByAnotherKey() public {
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(malloryKey, alice, bob, 7e6, 0, NOW + 1);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC2612InvalidSigner.selector, mallory, alice));
        token.permit(alice, bob, 7e6, NOW + 1, v, r, s);
    }

    function test_permit_RevertWhen_ValueOrSpenderChanged() public {
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(aliceKey, alice, bob, 7e6, 0, NOW + 1);
        vm.expectPartialRevert(DemoDollar.ERC2612InvalidSigner.selector);
        token.permit(alice, bob, 8e6, NOW + 1, v, r, s);
        vm.expectPartialRevert(DemoDollar.ERC2612InvalidSigner.selector);
        token.permit(alice, relayer, 7e6, NOW + 1, v, r, s);
    }

    function test_permit_RevertWhen_FutureNonce() public {
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(aliceKey, alice, bob, 7e6, 1, NOW + 1);
        vm.expectPartialRevert(DemoDollar.ERC2612InvalidSigner.selector);
        token.permit(alice, bob, 7e6, NOW + 1, v, r, s);
    }

    function test_permit_RevertWhen_HighS() public {
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(aliceKey, alice, bob, 7e6, 0, NOW + 1);
        bytes32 highS = bytes32(N - uint256(s));
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, highS));
        token.permit(alice, bob, 7e6, NOW + 1, v == 27 ? 28 : 27, r, highS);
    }

    function test_permit_RevertWhen_SpenderIsZero() public {
        (uint8 v, bytes32 r, bytes32 s) = _permitSig(aliceKey, alice, address(0), 7e6, 0, NOW + 1);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidSpender.selector, address(0)));
        token.permit(alice, address(0), 7e6, NOW + 1, v, r, s);
    }

    // ---------------------------------------------------------------- EIP-3009 transferWithAuthorization
    function test_transferWithAuthorization_AnyoneSubmits() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _transferAuth(nonce);
        vm.expectEmit(true, true, true, true, address(token));
        emit AuthorizationUsed(alice, nonce);
        vm.expectEmit(true, true, true, true, address(token));
        emit Transfer(alice, bob, 10e6);
        vm.prank(relayer);
        token.transferWithAuthorization(alice, bob, 10e6, NOW - 1, NOW + 1 hours, nonce, v, r, s);
        assertEq(token.balanceOf(bob), 10e6);
        assertEq(token.balanceOf(alice), 990e6);
        assertTrue(token.authorizationState(alice, nonce));
        assertEq(token.nonces(alice), 0, "EIP-3009 leaves the permit nonce alone");
    }

    function test_transferWithAuthorization_ValidJustInsideTheWindow() public {
        bytes32 nonce = keccak256("edge");
        (uint8 v, bytes32 r, bytes32 s) = _auth(aliceKey, TRANSFER_TYPEHASH, alice, bob, 1, NOW - 1, NOW + 1, nonce);
        token.transferWithAuthorization(alice, bob, 1, NOW - 1, NOW + 1, nonce, v, r, s);
        assertEq(token.balanceOf(bob), 1);
    }

    function test_transferWithAuthorization_RevertWhen_Replayed() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _transferAuth(nonce);
        token.transferWithAuthorization(alice, bob, 10e6, NOW - 1, NOW + 1 hours, nonce, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009UsedOrCanceled.selector, alice, nonce));
        token.transferWithAuthorization(alice, bob, 10e6, NOW - 1, NOW + 1 hours, nonce, v, r, s);
    }

    function test_transferWithAuthorization_RevertWhen_Expired() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _auth(aliceKey, TRANSFER_TYPEHASH, alice, bob, 1, 0, NOW, nonce);
        // validBefore is exclusive: at exactly validBefore the authorization has expired.
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009Expired.selector, NOW));
        token.transferWithAuthorization(alice, bob, 1, 0, NOW, nonce, v, r, s);
    }

    function test_transferWithAuthorization_RevertWhen_NotYetValid() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _auth(aliceKey, TRANSFER_TYPEHASH, alice, bob, 1, NOW, NOW + 1 hours, nonce);
        // validAfter is exclusive: at exactly validAfter it is not valid yet; one second later it is.
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009NotYetValid.selector, NOW));
        token.transferWithAuthorization(alice, bob, 1, NOW, NOW + 1 hours, nonce, v, r, s);
        vm.warp(NOW + 1);
        token.transferWithAuthorization(alice, bob, 1, NOW, NOW + 1 hours, nonce, v, r, s);
        assertEq(token.balanceOf(bob), 1);
    }

    function test_transferWithAuthorization_RevertWhen_SignedByAnotherKey() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) =
            _auth(malloryKey, TRANSFER_TYPEHASH, alice, mallory, 10e6, NOW - 1, NOW + 1 hours, nonce);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009InvalidSigner.selector, mallory, alice));
        token.transferWithAuthorization(alice, mallory, 10e6, NOW - 1, NOW + 1 hours, nonce, v, r, s);
        assertFalse(token.authorizationState(alice, nonce));
    }

    function test_transferWithAuthorization_RevertWhen_FieldsChanged() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _transferAuth(nonce);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        token.transferWithAuthorization(alice, mallory, 10e6, NOW - 1, NOW + 1 hours, nonce, v, r, s);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        token.transferWithAuthorization(alice, bob, 11e6, NOW - 1, NOW + 1 hours, nonce, v, r, s);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        token.transferWithAuthorization(alice, bob, 10e6, NOW - 2, NOW + 1 hours, nonce, v, r, s);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        token.transferWithAuthorization(alice, bob, 10e6, NOW - 1, NOW + 2 hours, nonce, v, r, s);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        token.transferWithAuthorization(alice, bob, 10e6, NOW - 1, NOW + 1 hours, keccak256("n2"), v, r, s);
    }

    function test_transferWithAuthorization_RevertWhen_ReceiveSignatureUsed() public {
        // A ReceiveWithAuthorization signature must not be usable by a front-runner through transferWithAuthorization.
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _auth(aliceKey, RECEIVE_TYPEHASH, alice, bob, 10e6, 0, NOW + 1 hours, nonce);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        token.transferWithAuthorization(alice, bob, 10e6, 0, NOW + 1 hours, nonce, v, r, s);
    }

    function test_transferWithAuthorization_RevertWhen_InsufficientBalanceLeavesNonceUnused() public {
        bytes32 nonce = keccak256("big");
        (uint8 v, bytes32 r, bytes32 s) = _auth(aliceKey, TRANSFER_TYPEHASH, alice, bob, 1001e6, 0, NOW + 1, nonce);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 1000e6, 1001e6)
        );
        token.transferWithAuthorization(alice, bob, 1001e6, 0, NOW + 1, nonce, v, r, s);
        assertFalse(token.authorizationState(alice, nonce));
    }

    function test_transferWithAuthorization_RevertWhen_HighS() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _transferAuth(nonce);
        bytes32 highS = bytes32(N - uint256(s));
        vm.expectRevert(abi.encodeWithSelector(ECDSA.ECDSAInvalidSignatureS.selector, highS));
        token.transferWithAuthorization(alice, bob, 10e6, NOW - 1, NOW + 1 hours, nonce, v == 27 ? 28 : 27, r, highS);
    }

    function test_transferWithAuthorization_NoncesArePerAuthorizer() public {
        vm.prank(deployer);
        token.mintTo(mallory, 10e6);
        bytes32 nonce = keccak256("shared");
        (uint8 v, bytes32 r, bytes32 s) = _auth(aliceKey, TRANSFER_TYPEHASH, alice, bob, 1, 0, NOW + 1, nonce);
        token.transferWithAuthorization(alice, bob, 1, 0, NOW + 1, nonce, v, r, s);
        (v, r, s) = _auth(malloryKey, TRANSFER_TYPEHASH, mallory, bob, 1, 0, NOW + 1, nonce);
        token.transferWithAuthorization(mallory, bob, 1, 0, NOW + 1, nonce, v, r, s);
        assertEq(token.balanceOf(bob), 2);
    }

    function testFuzz_transferWithAuthorization_AnyValueInsideTheWindow(
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce
    ) public {
        value = bound(value, 0, 1000e6);
        validAfter = bound(validAfter, 0, NOW - 1);
        validBefore = bound(validBefore, NOW + 1, type(uint256).max);
        (uint8 v, bytes32 r, bytes32 s) =
            _auth(aliceKey, TRANSFER_TYPEHASH, alice, bob, value, validAfter, validBefore, nonce);
        vm.prank(relayer);
        token.transferWithAuthorization(alice, bob, value, validAfter, validBefore, nonce, v, r, s);
        assertEq(token.balanceOf(bob), value);
        assertEq(token.balanceOf(alice) + value, 1000e6);
        assertTrue(token.authorizationState(alice, nonce));
    }

    // ---------------------------------------------------------------- EIP-3009 receiveWithAuthorization
    function test_receiveWithAuthorization_PayeePulls() public {
        bytes32 nonce = keccak256("r1");
        (uint8 v, bytes32 r, bytes32 s) = _auth(aliceKey, RECEIVE_TYPEHASH, alice, bob, 4e6, 0, NOW + 1, nonce);
        vm.expectEmit(true, true, true, true, address(token));
        emit AuthorizationUsed(alice, nonce);
        vm.expectEmit(true, true, true, true, address(token));
        emit Transfer(alice, bob, 4e6);
        vm.prank(bob);
        token.receiveWithAuthorization(alice, bob, 4e6, 0, NOW + 1, nonce, v, r, s);
        assertEq(token.balanceOf(bob), 4e6);
        assertTrue(token.authorizationState(alice, nonce));
    }

    function test_receiveWithAuthorization_RevertWhen_CallerIsNotThePayee() public {
        bytes32 nonce = keccak256("r1");
        (uint8 v, bytes32 r, bytes32 s) = _auth(aliceKey, RECEIVE_TYPEHASH, alice, bob, 4e6, 0, NOW + 1, nonce);
        vm.prank(relayer);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009CallerNotPayee.selector, relayer, bob));
        token.receiveWithAuthorization(alice, bob, 4e6, 0, NOW + 1, nonce, v, r, s);
        // Nor can the caller name itself as payee: the signature is over `to`.
        vm.prank(relayer);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        token.receiveWithAuthorization(alice, relayer, 4e6, 0, NOW + 1, nonce, v, r, s);
    }

    function test_receiveWithAuthorization_RevertWhen_TransferSignatureUsed() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _transferAuth(nonce);
        vm.prank(bob);
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        token.receiveWithAuthorization(alice, bob, 10e6, NOW - 1, NOW + 1 hours, nonce, v, r, s);
    }

    function test_receiveWithAuthorization_RevertWhen_ReplayedExpiredOrNotYetValid() public {
        bytes32 nonce = keccak256("r1");
        (uint8 v, bytes32 r, bytes32 s) = _auth(aliceKey, RECEIVE_TYPEHASH, alice, bob, 1, NOW, NOW + 10, nonce);
        vm.startPrank(bob);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009NotYetValid.selector, NOW));
        token.receiveWithAuthorization(alice, bob, 1, NOW, NOW + 10, nonce, v, r, s);
        vm.warp(NOW + 10);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009Expired.selector, NOW + 10));
        token.receiveWithAuthorization(alice, bob, 1, NOW, NOW + 10, nonce, v, r, s);
        vm.warp(NOW + 5);
        token.receiveWithAuthorization(alice, bob, 1, NOW, NOW + 10, nonce, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009UsedOrCanceled.selector, alice, nonce));
        token.receiveWithAuthorization(alice, bob, 1, NOW, NOW + 10, nonce, v, r, s);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- EIP-3009 cancelAuthorization
    function test_cancelAuthorization_BlocksLaterUse() public {
        bytes32 nonce = keccak256("n1");
        (uint8 cv, bytes32 cr, bytes32 cs) = _cancelSig(aliceKey, alice, nonce);
        vm.expectEmit(true, true, true, true, address(token));
        emit AuthorizationCanceled(alice, nonce);
        vm.prank(relayer);
        token.cancelAuthorization(alice, nonce, cv, cr, cs);
        assertTrue(token.authorizationState(alice, nonce));

        (uint8 v, bytes32 r, bytes32 s) = _transferAuth(nonce);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009UsedOrCanceled.selector, alice, nonce));
        token.transferWithAuthorization(alice, bob, 10e6, NOW - 1, NOW + 1 hours, nonce, v, r, s);
        (v, r, s) = _auth(aliceKey, RECEIVE_TYPEHASH, alice, bob, 1, 0, NOW + 1, nonce);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009UsedOrCanceled.selector, alice, nonce));
        token.receiveWithAuthorization(alice, bob, 1, 0, NOW + 1, nonce, v, r, s);
    }

    function test_cancelAuthorization_RevertWhen_AlreadyUsedOrCanceled() public {
        bytes32 nonce = keccak256("n1");
        (uint8 v, bytes32 r, bytes32 s) = _transferAuth(nonce);
        token.transferWithAuthorization(alice, bob, 10e6, NOW - 1, NOW + 1 hours, nonce, v, r, s);
        (uint8 cv, bytes32 cr, bytes32 cs) = _cancelSig(aliceKey, alice, nonce);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009UsedOrCanceled.selector, alice, nonce));
        token.cancelAuthorization(alice, nonce, cv, cr, cs);

        bytes32 other = keccak256("n2");
        (cv, cr, cs) = _cancelSig(aliceKey, alice, other);
        token.cancelAuthorization(alice, other, cv, cr, cs);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009UsedOrCanceled.selector, alice, other));
        token.cancelAuthorization(alice, other, cv, cr, cs);
    }

    function test_cancelAuthorization_RevertWhen_SignedByAnotherKey() public {
        bytes32 nonce = keccak256("n1");
        (uint8 cv, bytes32 cr, bytes32 cs) = _cancelSig(malloryKey, alice, nonce);
        vm.expectRevert(abi.encodeWithSelector(DemoDollar.ERC3009InvalidSigner.selector, mallory, alice));
        token.cancelAuthorization(alice, nonce, cv, cr, cs);
        // The signature is over the nonce too.
        (cv, cr, cs) = _cancelSig(aliceKey, alice, keccak256("n2"));
        vm.expectPartialRevert(DemoDollar.ERC3009InvalidSigner.selector);
        token.cancelAuthorization(alice, nonce, cv, cr, cs);
        assertFalse(token.authorizationState(alice, nonce));
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {MicroTransferChannels} from "../src/MicroTransferChannels.sol";

contract SignaturesTest is ChannelFixture {
    uint256 internal constant N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;

    address internal constant VECTOR_SENDER = 0x8Bf640A099fE945DA46F354d3B49c48a125F48B6; // key 0xa0…a0
    address internal constant VECTOR_RECEIVER = 0x08c86B491A37C2FFC25072a17c7A97EF2D0357dd; // key 0xb1…b1

    /// @dev BalanceProof{sender: VECTOR_SENDER, receiver: VECTOR_RECEIVER, openBlockNumber: 315123, balance: 8}
    /// in the domain {name: "MicroTransferChannels", version: "1", chainId: 31337, verifyingContract: 0x1212…12}.
    /// Reproduce from the repository root:
    /// node -e 'const {hashTypedData}=require("viem");console.log(hashTypedData({domain:{name:"MicroTransferChannels",version:"1",chainId:31337,verifyingContract:"0x1212121212121212121212121212121212121212"},types:{BalanceProof:[{name:"sender",type:"address"},{name:"receiver",type:"address"},{name:"openBlockNumber",type:"uint32"},{name:"balance",type:"uint192"}]},primaryType:"BalanceProof",message:{sender:"0x8bf640a099fe945da46f354d3b49c48a125f48b6",receiver:"0x08c86b491a37c2ffc25072a17c7a97ef2d0357dd",openBlockNumber:315123,balance:8n}}))'
    bytes32 internal constant VIEM_BALANCE_DIGEST = 0xd97a703c289bf4987e8247fad2ca06addc1c36e5f49a1ec5869d4895d555254a;
    /// @dev Same message as a ClosingProof (replace both "BalanceProof" by "ClosingProof" in the one-liner above).
    bytes32 internal constant VIEM_CLOSING_DIGEST = 0x0251348ad4385a20eba1a9d8d7ca9b5e56452040a50fd2fc1fdeb132db31e460;
    /// @dev viem `privateKeyToAccount("0x" + "a0".repeat(32)).signTypedData(<the BalanceProof above>)`.
    bytes internal constant VIEM_BALANCE_SIG =
        hex"a33f10ea0ebee33057f00d907ff0c9da4b8ab5c3747f143dea910d28dd4eb07537706f6d1535368b2a1535a63399aaab519d130deaffb10cf9e1e2e3fc6d67111c";

    function test_digest_MatchesViemHashTypedData() public view {
        assertEq(block.chainid, 31337);
        assertEq(_proofDigest(BALANCE_PROOF_TYPEHASH, VECTOR_SENDER, VECTOR_RECEIVER, 315123, 8), VIEM_BALANCE_DIGEST);
        assertEq(_proofDigest(CLOSING_PROOF_TYPEHASH, VECTOR_SENDER, VECTOR_RECEIVER, 315123, 8), VIEM_CLOSING_DIGEST);
        // The contract's own digest: signing the viem digest must recover through the contract.
        bytes memory sig = _sign(0xa0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0, VIEM_BALANCE_DIGEST);
        assertEq(channels.extractBalanceProofSignature(VECTOR_SENDER, VECTOR_RECEIVER, 315123, 8, sig), VECTOR_SENDER);
        bytes memory closing = _sign(0xb1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1, VIEM_CLOSING_DIGEST);
        assertEq(channels.extractClosingSignature(VECTOR_SENDER, VECTOR_RECEIVER, 315123, 8, closing), VECTOR_RECEIVER);
    }

    function test_extractBalanceProofSignature_RecoversViemSignature() public view {
        assertEq(
            channels.extractBalanceProofSignature(VECTOR_SENDER, VECTOR_RECEIVER, 315123, 8, VIEM_BALANCE_SIG),
            VECTOR_SENDER
        );
    }

    function test_extractBalanceProofSignature_OtherDataRecoversOtherAddress() public view {
        address recovered = channels.extractBalanceProofSignature(VECTOR_SENDER, VECTOR_RECEIVER, 315123, 9, VIEM_BALANCE_SIG);
        assertTrue(recovered != VECTOR_SENDER);
    }

    function test_extractClosingSignature_BalanceSigIsNotAClosingSig() public view {
        address recovered = channels.extractClosingSignature(VECTOR_SENDER, VECTOR_RECEIVER, 315123, 8, VIEM_BALANCE_SIG);
        assertTrue(recovered != VECTOR_SENDER);
    }

    function testFuzz_extractBalanceProofSignature_RecoversSigner(uint256 key, uint32 ob, uint192 balance) public view {
        key = bound(key, 1, N - 1);
        bytes memory sig = _balanceSig(key, ob, balance);
        assertEq(channels.extractBalanceProofSignature(sender, receiver, ob, balance, sig), vm.addr(key));
    }

    function testFuzz_extractClosingSignature_RecoversSigner(uint256 key, uint32 ob, uint192 balance) public view {
        key = bound(key, 1, N - 1);
        bytes memory sig = _closingSig(key, ob, balance);
        assertEq(channels.extractClosingSignature(sender, receiver, ob, balance, sig), vm.addr(key));
    }

    function test_extractBalanceProofSignature_SessionKeyVsSenderKey() public view {
        bytes memory bySession = _balanceSig(sessionKey, 7, 1);
        bytes memory bySender = _balanceSig(senderKey, 7, 1);
        assertEq(channels.extractBalanceProofSignature(sender, receiver, 7, 1, bySession), session);
        assertEq(channels.extractBalanceProofSignature(sender, receiver, 7, 1, bySender), sender);
    }

    function testFuzz_extractBalanceProofSignature_RevertWhen_WrongLength(uint256 length) public {
        length = bound(length, 0, 200);
        vm.assume(length != 65);
        bytes memory sig = new bytes(length);
        vm.expectRevert(MicroTransferChannels.InvalidSignatureLength.selector);
        channels.extractBalanceProofSignature(sender, receiver, 1, 1, sig);
    }

    function test_extractBalanceProofSignature_RevertWhen_HighS() public {
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(senderKey, _proofDigest(BALANCE_PROOF_TYPEHASH, sender, receiver, 1, 1));
        // The malleable twin (r, n − s, v ^ 1) is a valid secp256k1 signature of the same digest.
        bytes memory twin = abi.encodePacked(r, bytes32(N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(MicroTransferChannels.InvalidSignatureS.selector);
        channels.extractBalanceProofSignature(sender, receiver, 1, 1, twin);
        vm.expectRevert(MicroTransferChannels.InvalidSignatureS.selector);
        channels.extractClosingSignature(sender, receiver, 1, 1, twin);
    }

    function testFuzz_extractBalanceProofSignature_RevertWhen_BadV(uint8 v) public {
        vm.assume(v != 27 && v != 28);
        bytes memory sig = _balanceSig(senderKey, 1, 1);
        sig[64] = bytes1(v);
        vm.expectRevert(MicroTransferChannels.InvalidSignatureV.selector);
        channels.extractBalanceProofSignature(sender, receiver, 1, 1, sig);
    }

    function test_extractBalanceProofSignature_RevertWhen_VIsZeroOrOne() public {
        bytes memory sig = _balanceSig(senderKey, 1, 1);
        sig[64] = bytes1(uint8(sig[64]) - 27);
        vm.expectRevert(MicroTransferChannels.InvalidSignatureV.selector);
        channels.extractBalanceProofSignature(sender, receiver, 1, 1, sig);
    }

    function test_extractBalanceProofSignature_RevertWhen_EcrecoverReturnsZero() public {
        bytes memory sig = abi.encodePacked(bytes32(0), bytes32(uint256(1)), uint8(27));
        vm.expectRevert(MicroTransferChannels.InvalidSignature.selector);
        channels.extractBalanceProofSignature(sender, receiver, 1, 1, sig);
    }

    function test_extractBalanceProofSignature_RevertWhen_Malformed() public {
        // r = 0 is not a curve point: ecrecover fails
        bytes memory sig = _balanceSig(senderKey, 1, 1);
        for (uint256 i; i < 32; ++i) sig[i] = 0;
        vm.expectRevert(MicroTransferChannels.InvalidSignature.selector);
        channels.extractBalanceProofSignature(sender, receiver, 1, 1, sig);
    }

    function test_digest_DependsOnContractAddress() public {
        // A proof for this deployment is worthless on another one (replay protection).
        MicroTransferChannels other = new MicroTransferChannels(address(token), CHALLENGE_PERIOD);
        bytes memory sig = _balanceSig(senderKey, 1, 1);
        assertEq(channels.extractBalanceProofSignature(sender, receiver, 1, 1, sig), sender);
        assertTrue(other.extractBalanceProofSignature(sender, receiver, 1, 1, sig) != sender);
    }
}

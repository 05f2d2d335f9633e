// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {MicroTransferChannels} from "../src/MicroTransferChannels.sol";

contract DeploymentTest is ChannelFixture {
    function test_constructor_SetsTokenAndChallengePeriod() public view {
        assertEq(channels.token(), address(token));
        assertEq(channels.challengePeriod(), CHALLENGE_PERIOD);
        assertEq(channels.version(), "1.0.0");
    }

    function test_constructor_AcceptsMaxChallengePeriod() public {
        MicroTransferChannels c = new MicroTransferChannels(address(token), type(uint32).max);
        assertEq(c.challengePeriod(), type(uint32).max);
    }

    function test_constructor_RevertWhen_TokenIsNotAContract() public {
        vm.expectRevert(MicroTransferChannels.TokenNotContract.selector);
        new MicroTransferChannels(sender, CHALLENGE_PERIOD);
        vm.expectRevert(MicroTransferChannels.TokenNotContract.selector);
        new MicroTransferChannels(address(0), CHALLENGE_PERIOD);
    }

    function test_constructor_RevertWhen_ChallengePeriodBelow500() public {
        vm.expectRevert(MicroTransferChannels.ChallengePeriodTooShort.selector);
        new MicroTransferChannels(address(token), 499);
        new MicroTransferChannels(address(token), 500);
    }

    function testFuzz_constructor_ChallengePeriodBound(uint32 period) public {
        if (period < 500) vm.expectRevert(MicroTransferChannels.ChallengePeriodTooShort.selector);
        new MicroTransferChannels(address(token), period);
    }

    function test_eip712Domain_ReportsEip5267Fields() public view {
        (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        ) = channels.eip712Domain();
        assertEq(uint256(uint8(fields)), 0x0f);
        assertEq(name, "MicroTransferChannels");
        assertEq(version, "1");
        assertEq(chainId, block.chainid);
        assertEq(verifyingContract, CHANNELS);
        assertEq(salt, bytes32(0));
        assertEq(extensions.length, 0);
        assertEq(channels.DOMAIN_SEPARATOR(), _domainSeparator());
    }

    function test_typehashes_MatchSpec() public view {
        assertEq(channels.BALANCE_PROOF_TYPEHASH(), BALANCE_PROOF_TYPEHASH);
        assertEq(channels.CLOSING_PROOF_TYPEHASH(), CLOSING_PROOF_TYPEHASH);
    }

    /// Test vector from MICRORAIDEN.md §1.2 (computed with noble-hashes keccak).
    function test_getKey_MatchesMicroRaidenVector() public view {
        assertEq(
            channels.getKey(0x8Bf640A099fE945DA46F354d3B49c48a125F48B6, 0x08c86B491A37C2FFC25072a17c7A97EF2D0357dd, 315123),
            0xc6458e5eed8d8a673ffe2c31c330a442f0f7811145bd7426a93af238dadbc701
        );
    }

    function testFuzz_getKey_IsPackedKeccak(address a, address b, uint32 openBlockNumber) public view {
        assertEq(channels.getKey(a, b, openBlockNumber), keccak256(abi.encodePacked(a, b, openBlockNumber)));
    }
}

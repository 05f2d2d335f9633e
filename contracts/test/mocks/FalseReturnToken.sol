// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice An ERC-20 that signals failure by returning false instead of reverting.
contract FalseReturnToken {
    function transfer(address, uint256) external pure returns (bool) {
        return false;
    }

    function transferFrom(address, address, uint256) external pure returns (bool) {
        return false;
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice An ERC-20 without EIP-3009 whose fallback accepts any call, as WETH9's deposit() fallback does: a
/// call to receiveWithAuthorization "succeeds" here without moving tokens.
contract WethLikeToken {
    event Deposit(address indexed to, uint256 value);

    mapping(address => uint256) public balanceOf;

    fallback() external payable {
        _deposit();
    }

    receive() external payable {
        _deposit();
    }

    function _deposit() private {
        balanceOf[msg.sender] += msg.value;
        emit Deposit(msg.sender, msg.value);
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {DemoToken} from "../../src/DemoToken.sol";

/// @notice Deploys a DemoToken and hands its whole supply (up to uint192 max) to the deployer.
contract BigSupply {
    DemoToken public token;

    constructor(uint256 amount) {
        token = new DemoToken(amount);
        token.transfer(msg.sender, amount);
    }
}

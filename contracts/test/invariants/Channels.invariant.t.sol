// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "../utils/Test.sol";
import {DemoToken} from "../../src/DemoToken.sol";
import {DemoDollar} from "../../src/DemoDollar.sol";
import {MicroTransferChannels} from "../../src/MicroTransferChannels.sol";
import {ChannelsHandler, IHandlerToken} from "./ChannelsHandler.sol";

/// @notice The channel invariants on DemoToken (18 decimals, permit only): every open and top-up path except
/// the EIP-3009 ones. ChannelsDollarInvariantTest runs the same invariants on DemoDollar with those too.
contract ChannelsInvariantTest is Test {
    IHandlerToken internal token;
    MicroTransferChannels internal channels;
    ChannelsHandler internal handler;

    function setUp() public virtual {
        vm.roll(100);
        _deploy();
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = ChannelsHandler.open.selector;
        selectors[1] = ChannelsHandler.topUp.selector;
        selectors[2] = ChannelsHandler.pay.selector;
        selectors[3] = ChannelsHandler.cooperativeClose.selector;
        selectors[4] = ChannelsHandler.uncooperativeClose.selector;
        selectors[5] = ChannelsHandler.settle.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    function _deploy() internal virtual {
        token = IHandlerToken(address(new DemoToken(0)));
        channels = new MicroTransferChannels(address(token), 500);
        handler = new ChannelsHandler(token, channels, 1 ether, false);
    }

    /// Every open and top-up path of the handler works here (a guard against a handler that stopped taking one).
    function test_handler_TakesEveryPathWithoutEip3009() public {
        for (uint8 path; path < 3; ++path) handler.open(path, 1 ether + path, path);
        for (uint8 path; path < 2; ++path) handler.topUp(path, 1 ether, path);
        assertEq(handler.relayedOpens(), 1);
        assertEq(handler.liveCount(), 3);
        assertEq(token.balanceOf(address(channels)), handler.ghostDeposited());
    }

    /// The contract holds exactly Σ deposits − Σ withdrawn of the live channels: nothing more, nothing less.
    function invariant_BalanceEqualsLiveDepositsMinusWithdrawn() public view {
        assertEq(token.balanceOf(address(channels)), handler.ghostDeposited() - handler.ghostWithdrawnLive());
    }

    /// No receiver is ever paid more than the balance proofs it was given.
    function invariant_ReceiversNeverPaidMoreThanOwed() public view {
        assertLe(handler.ghostReceiverPaid(), handler.ghostReceiverOwedSettled());
    }

    /// No sender gets back more than its deposits minus what the receivers were paid.
    function invariant_SendersNeverRefundedMoreThanDeposited() public view {
        assertLe(handler.ghostSenderRefunded(), handler.ghostSenderRefundCap());
    }

    /// Tokens are conserved: everything paid out plus the escrow equals everything ever deposited.
    function invariant_Conservation() public view {
        assertEq(
            handler.ghostReceiverPaid() + handler.ghostSenderRefunded() + token.balanceOf(address(channels)),
            handler.ghostTotalDeposited()
        );
    }
}

/// @notice The same invariants on DemoDollar (6 decimals, permit and EIP-3009): adds the relayed
/// createChannelWithAuthorization and topUpWithAuthorization paths.
contract ChannelsDollarInvariantTest is ChannelsInvariantTest {
    function _deploy() internal override {
        token = IHandlerToken(address(new DemoDollar(0)));
        channels = new MicroTransferChannels(address(token), 500);
        handler = new ChannelsHandler(token, channels, 1e6, true);
    }

    /// Every open and top-up path of the handler works here (a guard against a handler that stopped taking one).
    function test_handler_TakesEveryPath() public {
        for (uint8 path; path < 4; ++path) handler.open(path, 1e6 + path, path);
        for (uint8 path; path < 3; ++path) handler.topUp(path, 1e6, path);
        assertEq(handler.relayedOpens(), 2);
        assertEq(handler.relayedTopUps(), 1);
        assertEq(handler.liveCount(), 4);
        assertEq(token.balanceOf(address(channels)), handler.ghostDeposited());
    }
}

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "../utils/Test.sol";
import {DemoToken} from "../../src/DemoToken.sol";
import {MicroTransferChannels} from "../../src/MicroTransferChannels.sol";
import {ChannelsHandler} from "./ChannelsHandler.sol";

contract ChannelsInvariantTest is Test {
    DemoToken internal token;
    MicroTransferChannels internal channels;
    ChannelsHandler internal handler;

    function setUp() public {
        vm.roll(100);
        token = new DemoToken(0);
        channels = new MicroTransferChannels(address(token), 500);
        handler = new ChannelsHandler(token, channels);
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

// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Vm} from "../utils/Vm.sol";
import {DemoToken} from "../../src/DemoToken.sol";
import {MicroTransferChannels} from "../../src/MicroTransferChannels.sol";

/// @notice Drives random channel lifecycles (all open/top-up paths, withdraw, both closes, settle) and
/// keeps ghost sums of what went in and what was paid out, in the style of solmate's BalanceSum handler.
contract ChannelsHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    bytes32 internal constant BALANCE_PROOF_TYPEHASH =
        keccak256("BalanceProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)");
    bytes32 internal constant CLOSING_PROOF_TYPEHASH =
        keccak256("ClosingProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)");

    struct Ghost {
        uint8 s;
        uint8 r;
        uint32 ob;
        uint192 deposit;
        uint192 withdrawn;
        uint192 owed; // the highest balance the sender has signed: what the receiver may ever get
        bool closing;
    }

    DemoToken public immutable token;
    MicroTransferChannels public immutable channels;
    uint256[3] internal senderKeys;
    uint256[2] internal receiverKeys;

    Ghost[] internal live;

    uint256 public ghostDeposited; // Σ deposits of live channels
    uint256 public ghostWithdrawnLive; // Σ withdrawn of live channels
    uint256 public ghostReceiverPaid; // Σ tokens paid to receivers (withdraw + settlements)
    uint256 public ghostReceiverOwedSettled; // Σ owed of settled channels + Σ withdrawn of live ones (the cap)
    uint256 public ghostSenderRefunded; // Σ refunds to senders
    uint256 public ghostSenderRefundCap; // Σ (deposit − withdrawn) of settled channels
    uint256 public ghostTotalDeposited; // Σ of every deposit and top-up ever made
    uint256 public calls;

    constructor(DemoToken token_, MicroTransferChannels channels_) {
        token = token_;
        channels = channels_;
        for (uint256 i; i < 3; ++i) {
            senderKeys[i] = uint256(keccak256(abi.encode("inv-sender", i)));
            address a = vm.addr(senderKeys[i]);
            vm.deal(a, 10_000 ether);
            vm.prank(a);
            token.mint{value: 10_000 ether}();
        }
        for (uint256 i; i < 2; ++i) receiverKeys[i] = uint256(keccak256(abi.encode("inv-receiver", i)));
    }

    function liveCount() external view returns (uint256) {
        return live.length;
    }

    function _s(uint8 i) internal view returns (address) {
        return vm.addr(senderKeys[i]);
    }

    function _r(uint8 i) internal view returns (address) {
        return vm.addr(receiverKeys[i]);
    }

    function _digest(bytes32 typehash, Ghost memory g, uint192 balance) internal view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("MicroTransferChannels"),
                keccak256("1"),
                block.chainid,
                address(channels)
            )
        );
        return keccak256(
            abi.encodePacked("\x19\x01", domain, keccak256(abi.encode(typehash, _s(g.s), _r(g.r), g.ob, balance)))
        );
    }

    function _sig(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    // ---------------------------------------------------------------- actions
    function open(uint256 seed, uint256 amount, uint8 path) external {
        ++calls;
        vm.roll(block.number + 1); // at most one channel per pair per block
        uint8 s = uint8(seed % 3);
        uint8 r = uint8((seed >> 8) % 2);
        uint192 deposit = uint192(amount % 100 ether);
        address sender = _s(s);
        vm.startPrank(sender);
        if (path % 2 == 0) {
            token.approve(address(channels), deposit);
            channels.createChannel(_r(r), deposit, address(0));
        } else {
            token.transfer(address(channels), deposit, abi.encodePacked(sender, _r(r)));
        }
        vm.stopPrank();
        live.push(Ghost(s, r, uint32(block.number), deposit, 0, 0, false));
        ghostDeposited += deposit;
        ghostTotalDeposited += deposit;
    }

    function topUp(uint256 index, uint256 amount, uint8 path) external {
        ++calls;
        if (live.length == 0) return;
        Ghost storage g = live[index % live.length];
        if (g.closing) return;
        uint192 added = uint192(1 + amount % 50 ether);
        address sender = _s(g.s);
        vm.startPrank(sender);
        if (path % 2 == 0) {
            token.approve(address(channels), added);
            channels.topUp(_r(g.r), g.ob, added);
        } else {
            token.transfer(address(channels), added, abi.encodePacked(sender, _r(g.r), g.ob));
        }
        vm.stopPrank();
        g.deposit += added;
        ghostDeposited += added;
        ghostTotalDeposited += added;
    }

    /// The sender pays: signs a higher cumulative balance (off-chain); the receiver may withdraw it.
    function pay(uint256 index, uint256 amount, bool withdrawNow) external {
        ++calls;
        if (live.length == 0) return;
        Ghost storage g = live[index % live.length];
        uint256 room = g.deposit - g.owed;
        if (room == 0) return;
        g.owed += uint192(1 + amount % room);
        if (!withdrawNow || g.closing) return;
        bytes memory sig = _sig(senderKeys[g.s], _digest(BALANCE_PROOF_TYPEHASH, g, g.owed));
        address receiver = _r(g.r);
        uint256 before = token.balanceOf(receiver);
        vm.prank(receiver);
        channels.withdraw(_s(g.s), g.ob, g.owed, sig);
        uint256 paid = token.balanceOf(receiver) - before;
        ghostReceiverPaid += paid;
        ghostReceiverOwedSettled += paid;
        ghostWithdrawnLive += paid;
        g.withdrawn = g.owed;
    }

    function cooperativeClose(uint256 index) external {
        ++calls;
        if (live.length == 0) return;
        uint256 i = index % live.length;
        Ghost memory g = live[i];
        bytes memory b = _sig(senderKeys[g.s], _digest(BALANCE_PROOF_TYPEHASH, g, g.owed));
        bytes memory c = _sig(receiverKeys[g.r], _digest(CLOSING_PROOF_TYPEHASH, g, g.owed));
        _settled(i, g, g.owed, b, c, false);
    }

    function uncooperativeClose(uint256 index, uint256 amount) external {
        ++calls;
        if (live.length == 0) return;
        Ghost storage g = live[index % live.length];
        if (g.closing) return;
        // A cheating sender may announce less than it signed (but not above the deposit).
        uint192 balance = uint192(amount % (uint256(g.deposit) + 1));
        vm.prank(_s(g.s));
        channels.uncooperativeClose(_r(g.r), g.ob, balance);
        g.closing = true;
        // Announcing a balance is the sender admitting it owes that much (settle pays it).
        if (balance > g.owed) g.owed = balance;
    }

    function settle(uint256 index) external {
        ++calls;
        if (live.length == 0) return;
        uint256 i = index % live.length;
        Ghost memory g = live[i];
        if (!g.closing) return;
        (,, uint32 settleAt,,,) = channels.getChannelInfo(_s(g.s), _r(g.r), g.ob);
        if (block.number <= settleAt) vm.roll(uint256(settleAt) + 1);
        _settled(i, g, 0, "", "", true);
    }

    function _settled(uint256 i, Ghost memory g, uint192, bytes memory b, bytes memory c, bool viaSettle) internal {
        address sender = _s(g.s);
        address receiver = _r(g.r);
        uint256 receiverBefore = token.balanceOf(receiver);
        uint256 senderBefore = token.balanceOf(sender);
        if (viaSettle) {
            vm.prank(sender);
            channels.settle(receiver, g.ob);
        } else {
            channels.cooperativeClose(sender, receiver, g.ob, g.owed, b, c);
        }
        uint256 toReceiver = token.balanceOf(receiver) - receiverBefore;
        uint256 toSender = token.balanceOf(sender) - senderBefore;
        ghostReceiverPaid += toReceiver;
        ghostReceiverOwedSettled += g.owed - g.withdrawn; // the cap: what it was owed beyond the withdrawn part
        ghostSenderRefunded += toSender;
        ghostSenderRefundCap += g.deposit - g.withdrawn;
        ghostDeposited -= g.deposit;
        ghostWithdrawnLive -= g.withdrawn;
        live[i] = live[live.length - 1];
        live.pop();
    }
}

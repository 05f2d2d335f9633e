// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Vm} from "../utils/Vm.sol";
import {MicroTransferChannels} from "../../src/MicroTransferChannels.sol";

/// @notice What the handler uses of DemoToken and DemoDollar (the same functions in both).
interface IHandlerToken {
    function approve(address spender, uint256 value) external returns (bool);
    function transfer(address to, uint256 value, bytes calldata data) external returns (bool);
    function balanceOf(address account) external view returns (uint256);
    function nonces(address owner) external view returns (uint256);
    function DOMAIN_SEPARATOR() external view returns (bytes32);
    function mint() external payable;
}

/// @notice Drives random channel lifecycles (all open/top-up paths, withdraw, both closes, settle) and
/// keeps ghost sums of what went in and what was paid out, in the style of solmate's BalanceSum handler.
/// Opens: approve + createChannel, ERC-223, createChannelFor (permit + OpenIntent, relayed) and, on an EIP-3009
/// token, createChannelWithAuthorization (relayed); top-ups: approve + topUp, ERC-223 and, on an EIP-3009
/// token, topUpWithAuthorization (relayed). Amounts are in whole tokens of `unit` base units.
contract ChannelsHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    bytes32 internal constant BALANCE_PROOF_TYPEHASH =
        keccak256("BalanceProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)");
    bytes32 internal constant CLOSING_PROOF_TYPEHASH =
        keccak256("ClosingProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)");
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 internal constant OPEN_INTENT_TYPEHASH =
        keccak256("OpenIntent(address receiver,address signer,uint192 deposit,uint256 deadline,uint256 nonce)");
    bytes32 internal constant RECEIVE_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    struct Ghost {
        uint8 s;
        uint8 r;
        uint32 ob;
        uint192 deposit;
        uint192 withdrawn;
        uint192 owed; // the highest balance the sender has signed: what the receiver may ever get
        bool closing;
    }

    IHandlerToken public immutable token;
    MicroTransferChannels public immutable channels;
    /// @dev Base units of one whole token (1e18 for DemoToken, 1e6 for DemoDollar).
    uint256 internal immutable unit;
    /// @dev Whether the token implements EIP-3009 (DemoDollar): adds the authorization paths.
    bool internal immutable eip3009;
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
    uint256 public relayedOpens; // opens through createChannelFor or createChannelWithAuthorization
    uint256 public relayedTopUps; // top-ups through topUpWithAuthorization

    constructor(IHandlerToken token_, MicroTransferChannels channels_, uint256 unit_, bool eip3009_) {
        token = token_;
        channels = channels_;
        unit = unit_;
        eip3009 = eip3009_;
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

    function _domain() internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("MicroTransferChannels"),
                keccak256("1"),
                block.chainid,
                address(channels)
            )
        );
    }

    function _digest(bytes32 typehash, Ghost memory g, uint192 balance) internal view returns (bytes32) {
        return keccak256(
            abi.encodePacked("\x19\x01", _domain(), keccak256(abi.encode(typehash, _s(g.s), _r(g.r), g.ob, balance)))
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
        uint192 deposit = uint192(amount % (100 * unit));
        address sender = _s(s);
        path = uint8(path % (eip3009 ? 4 : 3));
        if (path == 0) {
            vm.startPrank(sender);
            token.approve(address(channels), deposit);
            channels.createChannel(_r(r), deposit, address(0));
            vm.stopPrank();
        } else if (path == 1) {
            vm.prank(sender);
            token.transfer(address(channels), deposit, abi.encodePacked(sender, _r(r)));
        } else if (path == 2) {
            _openFor(s, _r(r), deposit);
        } else {
            bytes32 salt = keccak256(abi.encode("open", calls));
            (uint8 v, bytes32 rr, bytes32 ss) =
                _receiveAuth(s, deposit, keccak256(abi.encode(_r(r), address(0), salt)));
            channels.createChannelWithAuthorization(
                sender, _r(r), deposit, address(0), salt, 0, block.timestamp + 1 hours, v, rr, ss
            );
        }
        if (path >= 2) ++relayedOpens;
        live.push(Ghost(s, r, uint32(block.number), deposit, 0, 0, false));
        ghostDeposited += deposit;
        ghostTotalDeposited += deposit;
    }

    /// createChannelFor submitted by this handler (the relayer) with the sender's permit and OpenIntent.
    function _openFor(uint8 s, address receiver, uint192 deposit) internal {
        address sender = _s(s);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 intentHash = keccak256(
            abi.encode(OPEN_INTENT_TYPEHASH, receiver, address(0), deposit, deadline, channels.openIntentNonces(sender))
        );
        bytes memory intentSig = _sig(senderKeys[s], keccak256(abi.encodePacked("\x19\x01", _domain(), intentHash)));
        bytes32 permitHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, sender, address(channels), deposit, token.nonces(sender), deadline)
        );
        (uint8 v, bytes32 r, bytes32 ss) = vm.sign(
            senderKeys[s], keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), permitHash))
        );
        channels.createChannelFor(sender, receiver, deposit, address(0), deadline, intentSig, v, r, ss);
    }

    /// ReceiveWithAuthorization(sender s → channels, value, valid (0, now + 1 hour), nonce) on the token.
    function _receiveAuth(uint8 s, uint256 value, bytes32 nonce) internal view returns (uint8, bytes32, bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(RECEIVE_TYPEHASH, _s(s), address(channels), value, 0, block.timestamp + 1 hours, nonce)
        );
        return vm.sign(senderKeys[s], keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
    }

    function topUp(uint256 index, uint256 amount, uint8 path) external {
        ++calls;
        if (live.length == 0) return;
        Ghost storage g = live[index % live.length];
        if (g.closing) return;
        uint192 added = uint192(1 + amount % (50 * unit));
        address sender = _s(g.s);
        path = uint8(path % (eip3009 ? 3 : 2));
        if (path == 0) {
            vm.startPrank(sender);
            token.approve(address(channels), added);
            channels.topUp(_r(g.r), g.ob, added);
            vm.stopPrank();
        } else if (path == 1) {
            vm.prank(sender);
            token.transfer(address(channels), added, abi.encodePacked(sender, _r(g.r), g.ob));
        } else {
            bytes32 salt = keccak256(abi.encode("top-up", calls));
            bytes32 key = keccak256(abi.encodePacked(sender, _r(g.r), g.ob));
            (uint8 v, bytes32 r, bytes32 s) = _receiveAuth(g.s, added, keccak256(abi.encode(key, salt)));
            channels.topUpWithAuthorization(
                sender, _r(g.r), g.ob, added, salt, 0, block.timestamp + 1 hours, v, r, s
            );
            ++relayedTopUps;
        }
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

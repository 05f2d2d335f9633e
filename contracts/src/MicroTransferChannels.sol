// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IERC3009} from "./IERC3009.sol";

/// @title MicroTransferChannels
/// @notice Unidirectional ERC-20 payment channels in the µRaiden design: a sender escrows tokens for a
/// receiver and pays off-chain with EIP-712 balance proofs of the cumulative amount owed. The receiver
/// can withdraw against a proof without closing; channels close cooperatively at once (balance proof +
/// the receiver's closing proof) or uncooperatively after a challenge period.
/// @dev A channel is identified by (sender, receiver, openBlockNumber), at most one per block.
/// Storage per channel (key = keccak256(sender ‖ receiver ‖ uint32 openBlockNumber)):
///   slot 0: deposit (uint192) | settleBlockNumber (uint32) | flags (uint8)  — the only slot written at creation
///   slot 1: withdrawn (uint192)                                             — written on the first withdraw
///   slot 2: closingBalance (uint192)                                        — written only by uncooperativeClose
///   slot 3: signer (address)                                                — written only when it is not the sender
/// The flags say whether the channel exists, whether slot 3 holds a session signer and whether slot 1
/// was ever written, so the common paths never touch (cold) slots they do not need.
contract MicroTransferChannels is EIP712 {
    using SafeERC20 for IERC20;

    struct Channel {
        uint192 deposit;
        uint32 settleBlockNumber;
        uint8 flags;
        uint192 withdrawn;
        uint192 closingBalance;
        address signer;
    }

    uint8 private constant _EXISTS = 1;
    uint8 private constant _HAS_SIGNER = 2;
    uint8 private constant _HAS_WITHDRAWN = 4;

    /// @dev secp256k1n / 2: signatures with a larger `s` are malleable copies and are rejected.
    uint256 private constant _HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @notice EIP-712 type hash of a balance proof, signed by the channel's signer.
    bytes32 public constant BALANCE_PROOF_TYPEHASH =
        keccak256("BalanceProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)");

    /// @notice EIP-712 type hash of a closing proof, signed by the receiver.
    bytes32 public constant CLOSING_PROOF_TYPEHASH =
        keccak256("ClosingProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)");

    /// @dev EIP-712 type hash of a sender's intent to open a channel through createChannelFor. Not public:
    /// one more selector would make createChannel's and settle's dispatch dearer.
    bytes32 private constant _OPEN_INTENT_TYPEHASH =
        keccak256("OpenIntent(address receiver,address signer,uint192 deposit,uint256 deadline,uint256 nonce)");

    /// @notice Minimum challenge period in blocks.
    uint32 public constant MIN_CHALLENGE_PERIOD = 500;

    /// @notice Contract version (semver).
    string public constant version = "1.0.0";

    /// @notice The only token this contract escrows.
    address public immutable token;

    /// @notice Blocks between `uncooperativeClose` and the first block in which `settle` succeeds (exclusive).
    uint32 public immutable challengePeriod;

    mapping(bytes32 key => Channel) private _channels;

    /// @notice The nonce the next OpenIntent of `sender` must carry (createChannelFor); starts at 0.
    mapping(address sender => uint256) public openIntentNonces;

    /// @notice Emitted when a channel is opened; `signer` is the effective signer (never address(0)).
    event ChannelCreated(
        address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 deposit, address signer
    );
    /// @notice Emitted when a channel's deposit is increased by `addedDeposit`.
    event ChannelToppedUp(
        address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 addedDeposit
    );
    /// @notice Emitted when the sender starts the challenge period with the announced `balance`.
    event ChannelCloseRequested(
        address indexed sender,
        address indexed receiver,
        uint32 indexed openBlockNumber,
        uint192 balance,
        uint32 settleBlockNumber
    );
    /// @notice Emitted when a channel is settled and deleted; `receiverTokens` were paid to the receiver in this transaction.
    event ChannelSettled(
        address indexed sender,
        address indexed receiver,
        uint32 indexed openBlockNumber,
        uint192 balance,
        uint192 receiverTokens
    );
    /// @notice Emitted on a withdrawal; `withdrawnBalance` is the amount transferred in this transaction.
    event ChannelWithdraw(
        address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 withdrawnBalance
    );

    /// @notice The token address has no code.
    error TokenNotContract();
    /// @notice The challenge period is below MIN_CHALLENGE_PERIOD.
    error ChallengePeriodTooShort();
    /// @notice A channel between this sender and receiver was already opened in this block.
    error ChannelExists();
    /// @notice No open channel with this key (never created, or already settled).
    error ChannelNotFound();
    /// @notice A top-up of zero tokens.
    error ZeroAmount();
    /// @notice The deposit would not fit in a uint192.
    error DepositOverflow();
    /// @notice The channel is in its challenge period: top-ups, withdrawals and a second close request are refused.
    error ChannelClosing();
    /// @notice settle was called on a channel without a close request.
    error ChannelNotClosing();
    /// @notice settle was called before block.number > settleBlockNumber.
    error ChallengePeriodNotOver();
    /// @notice block.number + challengePeriod does not fit in a uint32.
    error SettleBlockOverflow();
    /// @notice The balance is larger than the channel's deposit.
    error BalanceExceedsDeposit();
    /// @notice A withdrawal must be for a balance strictly above what was already withdrawn.
    error BalanceNotIncreasing();
    /// @notice The balance is below what the receiver already withdrew.
    error BalanceBelowWithdrawn();
    /// @notice The balance proof was not signed by the channel's signer.
    error InvalidBalanceProof();
    /// @notice The closing proof was not signed by the receiver.
    error InvalidClosingProof();
    /// @notice A signature is not exactly 65 bytes (r ‖ s ‖ v).
    error InvalidSignatureLength();
    /// @notice A signature's s is in the upper half of the curve order (malleable).
    error InvalidSignatureS();
    /// @notice A signature's v is not 27 or 28.
    error InvalidSignatureV();
    /// @notice ecrecover returned address(0).
    error InvalidSignature();
    /// @notice tokenFallback was not called by the token.
    error OnlyToken();
    /// @notice tokenFallback data is not 40, 44 or 60 bytes.
    error InvalidData();
    /// @notice tokenFallback's `from` is not the channel sender named in the data.
    error SenderMismatch();
    /// @notice The token reverted receiveWithAuthorization without a reason, or does not implement EIP-3009.
    error AuthorizationFailed();
    /// @notice The OpenIntent's deadline has passed.
    error OpenIntentExpired();
    /// @notice The OpenIntent was not signed by the sender (or carries another nonce, receiver, signer or deposit).
    error InvalidOpenIntent();

    /// @param token_ The ERC-20 token escrowed by every channel (must be a contract).
    /// @param challengePeriod_ Challenge period in blocks, at least 500.
    constructor(address token_, uint32 challengePeriod_) EIP712("MicroTransferChannels", "1") {
        if (token_.code.length == 0) revert TokenNotContract();
        if (challengePeriod_ < MIN_CHALLENGE_PERIOD) revert ChallengePeriodTooShort();
        token = token_;
        challengePeriod = challengePeriod_;
    }

    // ------------------------------------------------------------------------------------------
    // Opening and topping up
    // ------------------------------------------------------------------------------------------

    /// @notice Opens a channel from msg.sender to `receiver` and pulls `deposit` with transferFrom (approve first).
    /// @param receiver The payee.
    /// @param deposit Tokens to escrow; zero is allowed.
    /// @param signer Address whose balance proofs are accepted; address(0) means msg.sender.
    function createChannel(address receiver, uint192 deposit, address signer) external {
        _create(msg.sender, receiver, deposit, signer);
        _pull(deposit);
    }

    /// @notice Like createChannel, but sets the allowance with an EIP-2612 permit in the same transaction.
    /// @dev A failing permit is ignored (it may have been front-run); transferFrom then needs the allowance.
    /// @param receiver The payee.
    /// @param deposit Tokens to escrow; the permit's value.
    /// @param signer Address whose balance proofs are accepted; address(0) means msg.sender.
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    function createChannelWithPermit(
        address receiver,
        uint192 deposit,
        address signer,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _permit(deposit, deadline, v, r, s);
        _create(msg.sender, receiver, deposit, signer);
        _pull(deposit);
    }

    /// @notice Adds `addedDeposit` to msg.sender's channel; pulls it with transferFrom. Not during a challenge period.
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @param addedDeposit Tokens to add; must be non-zero.
    function topUp(address receiver, uint32 openBlockNumber, uint192 addedDeposit) external {
        _topUp(msg.sender, receiver, openBlockNumber, addedDeposit);
        _pull(addedDeposit);
    }

    /// @notice Like topUp, but sets the allowance with an EIP-2612 permit in the same transaction.
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @param addedDeposit Tokens to add; the permit's value.
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    function topUpWithPermit(
        address receiver,
        uint32 openBlockNumber,
        uint192 addedDeposit,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _permit(addedDeposit, deadline, v, r, s);
        _topUp(msg.sender, receiver, openBlockNumber, addedDeposit);
        _pull(addedDeposit);
    }

    /// @notice Opens a channel for `sender` funded by its EIP-3009 ReceiveWithAuthorization; anyone may submit it.
    /// @dev The authorization's nonce is derived here, `keccak256(abi.encode(receiver, signer, salt))`, and its
    /// payee is this contract, so the sender's one signature fixes the deposit, who is paid and which key
    /// signs balance proofs: a relayer that changes any of them gets the token's signature error.
    /// The channel is the one createChannel would open for `sender`: same storage, event and rules.
    /// @param sender The payer: signer of the authorization and the channel's sender.
    /// @param receiver The payee.
    /// @param deposit Tokens to escrow; the authorization's value.
    /// @param signer Address whose balance proofs are accepted; address(0) means `sender`. Hashed as given.
    /// @param salt Any value the sender picks to make the nonce unique.
    /// @param validAfter Authorization valid only when block.timestamp > validAfter.
    /// @param validBefore Authorization valid only when block.timestamp < validBefore.
    /// @param v Authorization signature v.
    /// @param r Authorization signature r.
    /// @param s Authorization signature s.
    function createChannelWithAuthorization(
        address sender,
        address receiver,
        uint192 deposit,
        address signer,
        bytes32 salt,
        uint256 validAfter,
        uint256 validBefore,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _create(sender, receiver, deposit, signer);
        _receiveWithAuthorization(sender, deposit, validAfter, validBefore, _hash3(receiver, signer, salt), v, r, s);
    }

    /// @notice Tops up `sender`'s channel with its EIP-3009 ReceiveWithAuthorization; anyone may submit it.
    /// @dev The authorization's nonce is `keccak256(abi.encode(key, salt))` with the channel's key, so the
    /// signature is good for this channel only. Same rules as topUp.
    /// @param sender The payer: signer of the authorization and the channel's sender.
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @param addedDeposit Tokens to add (non-zero); the authorization's value.
    /// @param salt Any value the sender picks to make the nonce unique.
    /// @param validAfter Authorization valid only when block.timestamp > validAfter.
    /// @param validBefore Authorization valid only when block.timestamp < validBefore.
    /// @param v Authorization signature v.
    /// @param r Authorization signature r.
    /// @param s Authorization signature s.
    function topUpWithAuthorization(
        address sender,
        address receiver,
        uint32 openBlockNumber,
        uint192 addedDeposit,
        bytes32 salt,
        uint256 validAfter,
        uint256 validBefore,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _topUp(sender, receiver, openBlockNumber, addedDeposit);
        bytes32 nonce = _hash2(_key(sender, receiver, openBlockNumber), salt);
        _receiveWithAuthorization(sender, addedDeposit, validAfter, validBefore, nonce, v, r, s);
    }

    /// @notice Opens a channel for `sender` on a token with EIP-2612 permit only: the sender signs a permit
    /// for this contract and an OpenIntent in this contract's EIP-712 domain; anyone may submit both.
    /// @dev OpenIntent(address receiver,address signer,uint192 deposit,uint256 deadline,uint256 nonce) with
    /// nonce = openIntentNonces(sender), used up here. The permit (owner = sender, spender = this contract,
    /// value = deposit, the same deadline) is ignored when it fails, as in createChannelWithPermit: the deposit
    /// is then pulled on an existing allowance, which the intent alone authorizes this contract to use.
    /// @param sender The payer: signer of the intent and the permit, and the channel's sender.
    /// @param receiver The payee.
    /// @param deposit Tokens to escrow.
    /// @param signer Address whose balance proofs are accepted; address(0) means `sender`. Signed as given.
    /// @param deadline Last timestamp at which the intent (and the permit) may be used.
    /// @param intentSig The sender's 65-byte OpenIntent signature r ‖ s ‖ v.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    function createChannelFor(
        address sender,
        address receiver,
        uint192 deposit,
        address signer,
        uint256 deadline,
        bytes calldata intentSig,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (block.timestamp > deadline) revert OpenIntentExpired();
        uint256 nonce = openIntentNonces[sender];
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(_OPEN_INTENT_TYPEHASH, receiver, signer, deposit, deadline, nonce))
        );
        if (_recover(digest, intentSig) != sender) revert InvalidOpenIntent();
        unchecked {
            openIntentNonces[sender] = nonce + 1;
        }
        _permitFor(sender, deposit, deadline, v, r, s);
        _create(sender, receiver, deposit, signer);
        if (deposit != 0) IERC20(token).safeTransferFrom(sender, address(this), deposit);
    }

    /// @notice ERC-223 receiver hook: opens or tops up a channel with tokens already transferred to this contract.
    /// @dev `data` is raw bytes: sender(20) ‖ receiver(20) opens, sender(20) ‖ receiver(20) ‖ signer(20) opens
    /// with a session signer, sender(20) ‖ receiver(20) ‖ uint32 openBlockNumber (big-endian) tops up.
    /// @param from The token holder that called transfer; must be the channel sender.
    /// @param value Tokens received.
    /// @param data The layout above.
    function tokenFallback(address from, uint256 value, bytes calldata data) external {
        if (msg.sender != token) revert OnlyToken();
        if (value > type(uint192).max) revert DepositOverflow();
        uint256 length = data.length;
        if (length != 40 && length != 44 && length != 60) revert InvalidData();
        address sender;
        address receiver;
        uint256 tail;
        assembly ("memory-safe") {
            sender := shr(96, calldataload(data.offset))
            receiver := shr(96, calldataload(add(data.offset, 20)))
            tail := calldataload(add(data.offset, 40))
        }
        if (from != sender) revert SenderMismatch();
        if (length == 44) {
            _topUp(sender, receiver, uint32(tail >> 224), uint192(value));
        } else {
            _create(sender, receiver, uint192(value), length == 60 ? address(uint160(tail >> 96)) : address(0));
        }
    }

    // ------------------------------------------------------------------------------------------
    // Paying out
    // ------------------------------------------------------------------------------------------

    /// @notice The receiver (msg.sender) withdraws `balance − withdrawn` without closing the channel.
    /// @dev Balances must strictly increase between withdrawals. Not during a challenge period.
    /// @param sender The channel's sender.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @param balance Cumulative balance of the balance proof.
    /// @param balanceSig EIP-712 BalanceProof signature by the channel's signer.
    function withdraw(address sender, uint32 openBlockNumber, uint192 balance, bytes calldata balanceSig) external {
        Channel storage channel = _channels[_key(sender, msg.sender, openBlockNumber)];
        uint256 slot0 = _slot0(channel);
        uint8 flags = uint8(slot0 >> 224);
        if (flags == 0) revert ChannelNotFound();
        if (uint32(slot0 >> 192) != 0) revert ChannelClosing();
        if (balance > uint192(slot0)) revert BalanceExceedsDeposit();
        uint192 withdrawn;
        if (flags & _HAS_WITHDRAWN != 0) {
            withdrawn = channel.withdrawn;
        } else {
            // First withdrawal: mark slot 1 as written so that closes never read it when it is empty.
            assembly ("memory-safe") {
                sstore(channel.slot, or(slot0, shl(224, _HAS_WITHDRAWN)))
            }
        }
        if (balance <= withdrawn) revert BalanceNotIncreasing();
        address signer = flags & _HAS_SIGNER != 0 ? channel.signer : sender;
        if (_recover(_digest(BALANCE_PROOF_TYPEHASH, sender, msg.sender, openBlockNumber, balance), balanceSig) != signer)
        {
            revert InvalidBalanceProof();
        }

        uint256 newWithdrawn = balance;
        assembly ("memory-safe") {
            sstore(add(channel.slot, 1), newWithdrawn) // slot 1 holds only `withdrawn`: no read-modify-write
        }
        uint192 amount = balance - withdrawn;
        emit ChannelWithdraw(sender, msg.sender, openBlockNumber, amount);
        IERC20(token).safeTransfer(msg.sender, amount);
    }

    /// @notice Settles a channel at once with the signer's balance proof and the receiver's closing proof.
    /// @dev Callable by anyone, also during a challenge period (this is how a receiver disputes an
    /// uncooperative close). Pays `balance − withdrawn` to the receiver and `deposit − balance` to the sender.
    /// @param sender The channel's sender.
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @param balance The final cumulative balance.
    /// @param balanceSig EIP-712 BalanceProof signature by the channel's signer.
    /// @param closingSig EIP-712 ClosingProof signature by the receiver.
    function cooperativeClose(
        address sender,
        address receiver,
        uint32 openBlockNumber,
        uint192 balance,
        bytes calldata balanceSig,
        bytes calldata closingSig
    ) external {
        Channel storage channel = _channels[_key(sender, receiver, openBlockNumber)];
        uint256 slot0 = _slot0(channel);
        uint8 flags = uint8(slot0 >> 224);
        if (flags == 0) revert ChannelNotFound();
        _checkProofs(
            flags & _HAS_SIGNER != 0 ? channel.signer : sender,
            sender,
            receiver,
            openBlockNumber,
            balance,
            balanceSig,
            closingSig
        );
        if (balance > uint192(slot0)) revert BalanceExceedsDeposit();
        if (balance < _withdrawn(channel, slot0)) revert BalanceBelowWithdrawn();
        _settle(channel, slot0, sender, receiver, openBlockNumber, balance);
    }

    /// @notice The sender (msg.sender) announces the final `balance` and starts the challenge period.
    /// @dev settleBlockNumber = block.number + challengePeriod. If `balance` is below what the receiver
    /// already withdrew, settle pays out at the withdrawn amount (the receiver keeps what it was paid).
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @param balance The balance the sender claims it owes; at most the deposit.
    function uncooperativeClose(address receiver, uint32 openBlockNumber, uint192 balance) external {
        Channel storage channel = _channels[_key(msg.sender, receiver, openBlockNumber)];
        (uint192 deposit, uint32 settleBlockNumber, uint8 flags) =
            (channel.deposit, channel.settleBlockNumber, channel.flags);
        if (flags == 0) revert ChannelNotFound();
        if (settleBlockNumber != 0) revert ChannelClosing();
        if (balance > deposit) revert BalanceExceedsDeposit();
        uint256 settleAt = block.number + challengePeriod;
        if (settleAt > type(uint32).max) revert SettleBlockOverflow();

        channel.settleBlockNumber = uint32(settleAt);
        if (balance != 0) channel.closingBalance = balance;
        emit ChannelCloseRequested(msg.sender, receiver, openBlockNumber, balance, uint32(settleAt));
    }

    /// @notice The sender (msg.sender) settles after the challenge period, at the announced balance.
    /// @dev Succeeds only when block.number > settleBlockNumber.
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    function settle(address receiver, uint32 openBlockNumber) external {
        Channel storage channel = _channels[_key(msg.sender, receiver, openBlockNumber)];
        uint256 slot0 = _slot0(channel);
        uint32 settleBlockNumber = uint32(slot0 >> 192);
        if (settleBlockNumber == 0) revert ChannelNotClosing();
        if (block.number <= settleBlockNumber) revert ChallengePeriodNotOver();
        uint192 balance = channel.closingBalance;
        uint192 withdrawn = _withdrawn(channel, slot0);
        _settle(channel, slot0, msg.sender, receiver, openBlockNumber, balance > withdrawn ? balance : withdrawn);
    }

    // ------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------

    /// @notice A live channel's state; reverts with ChannelNotFound for unknown or settled channels.
    /// @param sender The channel's sender.
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @return key The channel key.
    /// @return deposit Total deposit.
    /// @return settleBlockNumber Zero unless a close was requested.
    /// @return closingBalance Balance announced by uncooperativeClose (zero otherwise).
    /// @return withdrawnBalance Cumulative amount withdrawn by the receiver.
    /// @return signer The effective signer of balance proofs (the sender unless another was named).
    function getChannelInfo(address sender, address receiver, uint32 openBlockNumber)
        external
        view
        returns (
            bytes32 key,
            uint192 deposit,
            uint32 settleBlockNumber,
            uint192 closingBalance,
            uint192 withdrawnBalance,
            address signer
        )
    {
        key = _key(sender, receiver, openBlockNumber);
        Channel storage channel = _channels[key];
        if (channel.flags == 0) revert ChannelNotFound();
        signer = channel.flags & _HAS_SIGNER != 0 ? channel.signer : sender;
        return (key, channel.deposit, channel.settleBlockNumber, channel.closingBalance, channel.withdrawn, signer);
    }

    /// @notice keccak256(sender ‖ receiver ‖ uint32 openBlockNumber), 44 packed bytes.
    /// @param sender The channel's sender.
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @return The channel key.
    function getKey(address sender, address receiver, uint32 openBlockNumber) external pure returns (bytes32) {
        return _key(sender, receiver, openBlockNumber);
    }

    /// @notice The address that signed a BalanceProof; reverts for a malformed or high-s signature.
    /// @param sender The channel's sender.
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @param balance The cumulative balance.
    /// @param sig The 65-byte signature r ‖ s ‖ v.
    /// @return The recovered signer.
    function extractBalanceProofSignature(
        address sender,
        address receiver,
        uint32 openBlockNumber,
        uint192 balance,
        bytes calldata sig
    ) external view returns (address) {
        return _recover(_digest(BALANCE_PROOF_TYPEHASH, sender, receiver, openBlockNumber, balance), sig);
    }

    /// @notice The address that signed a ClosingProof; reverts for a malformed or high-s signature.
    /// @param sender The channel's sender.
    /// @param receiver The channel's receiver.
    /// @param openBlockNumber The block in which the channel was opened.
    /// @param balance The cumulative balance.
    /// @param sig The 65-byte signature r ‖ s ‖ v.
    /// @return The recovered signer.
    function extractClosingSignature(
        address sender,
        address receiver,
        uint32 openBlockNumber,
        uint192 balance,
        bytes calldata sig
    ) external view returns (address) {
        return _recover(_digest(CLOSING_PROOF_TYPEHASH, sender, receiver, openBlockNumber, balance), sig);
    }

    /// @notice The EIP-712 domain separator of this deployment.
    /// @return The domain separator.
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------

    function _create(address sender, address receiver, uint192 deposit, address signer) private {
        uint32 openBlockNumber = uint32(block.number);
        Channel storage channel = _channels[_key(sender, receiver, openBlockNumber)];
        if (channel.flags != 0) revert ChannelExists();
        uint8 flags = _EXISTS;
        if (signer == address(0) || signer == sender) {
            signer = sender;
        } else {
            flags = _EXISTS | _HAS_SIGNER;
            channel.signer = signer;
        }
        // One SSTORE of slot 0: deposit | settleBlockNumber (0) | flags. The event is ChannelCreated(sender,
        // receiver, openBlockNumber, deposit, signer), logged from scratch space.
        bytes32 topic0 = ChannelCreated.selector;
        assembly ("memory-safe") {
            sstore(channel.slot, or(deposit, shl(224, flags)))
            mstore(0x00, deposit)
            mstore(0x20, signer)
            log4(0x00, 0x40, topic0, sender, receiver, and(openBlockNumber, 0xffffffff))
        }
    }

    function _topUp(address sender, address receiver, uint32 openBlockNumber, uint192 addedDeposit) private {
        if (addedDeposit == 0) revert ZeroAmount();
        Channel storage channel = _channels[_key(sender, receiver, openBlockNumber)];
        (uint192 deposit, uint32 settleBlockNumber, uint8 flags) =
            (channel.deposit, channel.settleBlockNumber, channel.flags);
        if (flags == 0) revert ChannelNotFound();
        if (settleBlockNumber != 0) revert ChannelClosing();
        if (uint256(deposit) + addedDeposit > type(uint192).max) revert DepositOverflow();
        unchecked {
            channel.deposit = deposit + addedDeposit;
        }
        emit ChannelToppedUp(sender, receiver, openBlockNumber, addedDeposit);
    }

    /// @dev Deletes the channel (all four slots) and pays both parties. `withdrawn <= balance <= deposit` holds.
    function _settle(
        Channel storage channel,
        uint256 slot0,
        address sender,
        address receiver,
        uint32 openBlockNumber,
        uint192 balance
    ) private {
        uint192 withdrawn = _withdrawn(channel, slot0);
        uint192 receiverTokens = balance - withdrawn;
        // Delete every slot the channel may have written (an unwritten slot is already zero).
        assembly ("memory-safe") {
            sstore(channel.slot, 0) // deposit | settleBlockNumber | flags
        }
        if (withdrawn != 0) channel.withdrawn = 0;
        if (uint32(slot0 >> 192) != 0) channel.closingBalance = 0; // closing: slot 2 may be set
        if (uint8(slot0 >> 224) & _HAS_SIGNER != 0) channel.signer = address(0);

        emit ChannelSettled(sender, receiver, openBlockNumber, balance, receiverTokens);
        if (receiverTokens != 0) IERC20(token).safeTransfer(receiver, receiverTokens);
        uint192 refund = uint192(slot0) - balance;
        if (refund != 0) IERC20(token).safeTransfer(sender, refund);
    }

    function _checkProofs(
        address signer,
        address sender,
        address receiver,
        uint32 openBlockNumber,
        uint192 balance,
        bytes calldata balanceSig,
        bytes calldata closingSig
    ) private view {
        if (_recover(_digest(BALANCE_PROOF_TYPEHASH, sender, receiver, openBlockNumber, balance), balanceSig) != signer)
        {
            revert InvalidBalanceProof();
        }
        if (_recover(_digest(CLOSING_PROOF_TYPEHASH, sender, receiver, openBlockNumber, balance), closingSig) != receiver)
        {
            revert InvalidClosingProof();
        }
    }

    /// @dev slot 1 is read only when the first withdrawal flagged it as written.
    function _withdrawn(Channel storage channel, uint256 slot0) private view returns (uint192) {
        return uint8(slot0 >> 224) & _HAS_WITHDRAWN != 0 ? channel.withdrawn : 0;
    }

    /// @dev The raw slot 0 word: deposit (bits 0..191) | settleBlockNumber (192..223) | flags (224..231).
    function _slot0(Channel storage channel) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(channel.slot)
        }
    }

    function _pull(uint192 amount) private {
        if (amount != 0) IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev IERC20Permit(token).permit(msg.sender, this, value, deadline, v, r, s), ignoring failure (a permit
    /// may have been front-run; transferFrom then relies on the allowance). Low-level to skip try/catch's
    /// extcodesize check and return-data handling.
    function _permit(uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private {
        address token_ = token;
        bytes4 selector = IERC20Permit.permit.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), caller())
            mstore(add(m, 0x24), address())
            mstore(add(m, 0x44), value)
            mstore(add(m, 0x64), deadline)
            mstore(add(m, 0x84), v)
            mstore(add(m, 0xa4), r)
            mstore(add(m, 0xc4), s)
            pop(call(gas(), token_, 0, m, 0xe4, 0, 0))
        }
    }

    /// @dev _permit for another owner than msg.sender (createChannelFor). A separate copy: passing msg.sender
    /// to a shared helper made the existing permit paths dearer.
    function _permitFor(address owner, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private {
        address token_ = token;
        bytes4 selector = IERC20Permit.permit.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), owner)
            mstore(add(m, 0x24), address())
            mstore(add(m, 0x44), value)
            mstore(add(m, 0x64), deadline)
            mstore(add(m, 0x84), v)
            mstore(add(m, 0xa4), r)
            mstore(add(m, 0xc4), s)
            pop(call(gas(), token_, 0, m, 0xe4, 0, 0))
        }
    }

    /// @dev token.receiveWithAuthorization(from, this, value, validAfter, validBefore, nonce, v, r, s), then
    /// token.authorizationState(from, nonce) must be true: a token without EIP-3009 whose fallback accepts any
    /// call (WETH's) would otherwise "succeed" without moving tokens. The token's revert reason is passed on.
    function _receiveWithAuthorization(
        address from,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) private {
        address token_ = token;
        bytes4 receiveSelector = IERC3009.receiveWithAuthorization.selector;
        bytes4 stateSelector = IERC3009.authorizationState.selector;
        bytes4 failed = AuthorizationFailed.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, receiveSelector)
            mstore(add(m, 0x04), from)
            mstore(add(m, 0x24), address())
            mstore(add(m, 0x44), value)
            mstore(add(m, 0x64), validAfter)
            mstore(add(m, 0x84), validBefore)
            mstore(add(m, 0xa4), nonce)
            mstore(add(m, 0xc4), v)
            mstore(add(m, 0xe4), r)
            mstore(add(m, 0x104), s)
            if iszero(call(gas(), token_, 0, m, 0x124, 0, 0)) {
                if returndatasize() {
                    returndatacopy(m, 0, returndatasize())
                    revert(m, returndatasize())
                }
                mstore(0, failed)
                revert(0, 4)
            }
            mstore(m, stateSelector) // clears the high bytes of the `from` word: write it again
            mstore(add(m, 0x04), from)
            mstore(add(m, 0x24), nonce)
            let ok := staticcall(gas(), token_, m, 0x44, 0, 0x20)
            if iszero(and(ok, and(eq(returndatasize(), 0x20), eq(mload(0), 1)))) {
                mstore(0, failed)
                revert(0, 4)
            }
        }
    }

    /// @dev keccak256(abi.encode(a, b, salt)): the nonce of createChannelWithAuthorization.
    function _hash3(address a, address b, bytes32 salt) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, a)
            mstore(add(m, 0x20), b)
            mstore(add(m, 0x40), salt)
            h := keccak256(m, 0x60)
        }
    }

    /// @dev keccak256(abi.encode(a, b)): the nonce of topUpWithAuthorization.
    function _hash2(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }

    function _key(address sender, address receiver, uint32 openBlockNumber) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x00, shl(96, sender))
            mstore(0x14, shl(96, receiver))
            mstore(0x28, shl(224, openBlockNumber))
            key := keccak256(0x00, 0x2c)
            mstore(0x40, fmp)
        }
    }

    /// @dev EIP-712 digest of BalanceProof/ClosingProof(sender, receiver, openBlockNumber, balance).
    function _digest(bytes32 typehash, address sender, address receiver, uint32 openBlockNumber, uint192 amount)
        private
        view
        returns (bytes32 digest)
    {
        bytes32 separator = _domainSeparatorV4();
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typehash)
            mstore(add(m, 0x20), sender)
            mstore(add(m, 0x40), receiver)
            mstore(add(m, 0x60), openBlockNumber)
            mstore(add(m, 0x80), amount)
            let structHash := keccak256(m, 0xa0)
            mstore(0x00, 0x1901)
            mstore(0x20, separator)
            mstore(0x40, structHash)
            digest := keccak256(0x1e, 0x42)
            mstore(0x40, m)
        }
    }

    /// @dev ecrecover of a 65-byte r ‖ s ‖ v signature, low s and v ∈ {27, 28} only.
    function _recover(bytes32 digest, bytes calldata sig) private pure returns (address signer) {
        if (sig.length != 65) revert InvalidSignatureLength();
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(sig.offset)
            s := calldataload(add(sig.offset, 0x20))
            v := byte(0, calldataload(add(sig.offset, 0x40)))
        }
        if (uint256(s) > _HALF_N) revert InvalidSignatureS();
        if (v != 27 && v != 28) revert InvalidSignatureV();
        signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert InvalidSignature();
    }
}

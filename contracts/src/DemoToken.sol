// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @notice ERC-223 receiver hook, as called by DemoToken.transfer(to, value, data).
interface IERC223Recipient {
    /// @notice Called after `value` tokens from `from` were credited to the recipient.
    function tokenFallback(address from, uint256 value, bytes calldata data) external;
}

/// @title DemoToken
/// @notice The token of the embedded local chain: ERC-20 (18 decimals) with EIP-2612 permit, ERC-223
/// `transfer(to, value, data)` and µRaiden's payable `mint()` (50 TKN per 0.1 ETH, pro rata).
/// @dev Same external behaviour and errors as OpenZeppelin's ERC20 + ERC20Permit, with one storage
/// difference: an account's balance (low 192 bits) and permit nonce (high 64 bits) share one slot, so a
/// permit followed by transferFrom in one transaction writes that slot once instead of paying a separate
/// cold nonce slot (22,100 gas on an account's first permit, 5,000 on later ones).
contract DemoToken is IERC20, IERC20Metadata, IERC20Permit, IERC20Errors, EIP712 {
    bytes32 private constant _PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    uint256 private constant _BALANCE_MASK = type(uint192).max;
    uint256 private constant _NONCE_ONE = 1 << 192;

    /// @notice Tokens credited by mint() per wei paid (50 TKN per 0.1 ETH).
    uint256 public constant TOKENS_PER_WEI = 500;
    /// @notice Minimum ETH accepted by mint().
    uint256 public constant MIN_MINT_VALUE = 0.1 ether;

    /// @inheritdoc IERC20
    uint256 public totalSupply;

    /// @inheritdoc IERC20
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    /// @dev balance (bits 0..191) | nonce (bits 192..255)
    mapping(address account => uint256) private _accounts;

    /// @notice Emitted by mint().
    event Minted(address indexed to, uint256 amount);

    /// @notice The permit's deadline has passed.
    error ERC2612ExpiredSignature(uint256 deadline);
    /// @notice The permit was not signed by `owner`.
    error ERC2612InvalidSigner(address signer, address owner);
    /// @notice mint() was paid less than MIN_MINT_VALUE.
    error MintValueTooLow();
    /// @notice The total supply would not fit in a uint192.
    error SupplyOverflow();

    /// @param initialSupply Base units minted to the deployer.
    constructor(uint256 initialSupply) EIP712("Demo Token", "1") {
        _mint(msg.sender, initialSupply);
    }

    /// @inheritdoc IERC20Metadata
    function name() external pure returns (string memory) {
        return "Demo Token";
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external pure returns (string memory) {
        return "TKN";
    }

    /// @inheritdoc IERC20Metadata
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account] & _BALANCE_MASK;
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) external view returns (uint256) {
        return _accounts[owner] >> 192;
    }

    /// @inheritdoc IERC20Permit
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @notice ERC-223 transfer: moves `value` to `to`, then calls `to.tokenFallback(msg.sender, value, data)`
    /// if `to` is a contract; reverts if that call reverts.
    /// @param to Recipient.
    /// @param value Base units.
    /// @param data Passed to tokenFallback unchanged.
    /// @return Always true.
    function transfer(address to, uint256 value, bytes calldata data) external returns (bool) {
        _transfer(msg.sender, to, value);
        if (to.code.length != 0) IERC223Recipient(to).tokenFallback(msg.sender, value, data);
        return true;
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
            unchecked {
                allowance[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc IERC20Permit
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        if (block.timestamp > deadline) revert ERC2612ExpiredSignature(deadline);
        uint256 account = _accounts[owner];
        bytes32 structHash = keccak256(abi.encode(_PERMIT_TYPEHASH, owner, spender, value, account >> 192, deadline));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != owner) revert ERC2612InvalidSigner(signer, owner);
        unchecked {
            _accounts[owner] = account + _NONCE_ONE; // 2^64 permits per account before the nonce wraps
        }
        _approve(owner, spender, value);
    }

    /// @notice Buys tokens for ETH: at least 0.1 ETH, credited at 50 TKN per 0.1 ETH (msg.value × 500).
    function mint() external payable {
        if (msg.value < MIN_MINT_VALUE) revert MintValueTooLow();
        uint256 amount = msg.value * TOKENS_PER_WEI;
        _mint(msg.sender, amount);
        emit Minted(msg.sender, amount);
    }

    function _transfer(address from, address to, uint256 value) private {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 fromAccount = _accounts[from];
        uint256 balance = fromAccount & _BALANCE_MASK;
        if (balance < value) revert ERC20InsufficientBalance(from, balance, value);
        unchecked {
            // value <= balance: no borrow from the nonce bits; every balance <= totalSupply < 2^192: no carry.
            _accounts[from] = fromAccount - value;
            _accounts[to] += value;
        }
        emit Transfer(from, to, value);
    }

    function _approve(address owner, address spender, uint256 value) private {
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        allowance[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    function _mint(address to, uint256 amount) private {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 supply = totalSupply + amount;
        if (supply > _BALANCE_MASK) revert SupplyOverflow();
        totalSupply = supply;
        unchecked {
            _accounts[to] += amount;
        }
        emit Transfer(address(0), to, amount);
    }
}

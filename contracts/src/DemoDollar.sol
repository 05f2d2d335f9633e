// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IERC223Recipient} from "./DemoToken.sol";
import {IERC3009} from "./IERC3009.sol";

/// @title DemoDollar
/// @notice A USDC-shaped demo token: ERC-20 with 6 decimals, EIP-2612 permit and EIP-3009 transfer /
/// receive / cancel authorizations under the EIP-712 domain {name: "Demo Dollar", version: "2", chainId,
/// verifyingContract} (the same type hashes and checks as USDC's FiatTokenV2), ERC-223
/// `transfer(to, value, data)`, µRaiden's payable `mint()` (50 dUSD per 0.1 ETH, pro rata) and a faucet
/// `mintTo` for the deployer.
/// @dev Differences from USDC: no blacklist, pause or upgradeability; authorizations and permits are
/// signed by externally owned accounts only (v, r, s; no ERC-1271). Storage follows DemoToken: an
/// account's balance (low 192 bits) and permit nonce (high 64 bits) share one slot.
contract DemoDollar is IERC20, IERC20Metadata, IERC20Permit, IERC3009, IERC20Errors, EIP712 {
    /// @notice EIP-2612 type hash.
    bytes32 public constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    /// @notice EIP-3009 type hash of transferWithAuthorization (USDC's).
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    /// @notice EIP-3009 type hash of receiveWithAuthorization (USDC's).
    bytes32 public constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );
    /// @notice EIP-3009 type hash of cancelAuthorization (USDC's).
    bytes32 public constant CANCEL_AUTHORIZATION_TYPEHASH =
        keccak256("CancelAuthorization(address authorizer,bytes32 nonce)");

    uint256 private constant _BALANCE_MASK = type(uint192).max;
    uint256 private constant _NONCE_ONE = 1 << 192;

    /// @notice mint() credits one base unit (10^-6 dUSD) per this many wei: 50 dUSD per 0.1 ETH.
    uint256 public constant WEI_PER_UNIT = 2_000_000_000;
    /// @notice Minimum ETH accepted by mint().
    uint256 public constant MIN_MINT_VALUE = 0.1 ether;

    /// @notice The only account allowed to call mintTo (the deployer).
    address public immutable minter;

    /// @inheritdoc IERC20
    uint256 public totalSupply;

    /// @inheritdoc IERC20
    mapping(address owner => mapping(address spender => uint256)) public allowance;

    /// @dev balance (bits 0..191) | permit nonce (bits 192..255)
    mapping(address account => uint256) private _accounts;

    /// @dev EIP-3009: true once an authorization nonce was used or canceled.
    mapping(address authorizer => mapping(bytes32 nonce => bool)) private _authorizationStates;

    /// @notice Emitted by mint() and mintTo().
    event Minted(address indexed to, uint256 amount);

    /// @notice The permit's deadline has passed.
    error ERC2612ExpiredSignature(uint256 deadline);
    /// @notice The permit was not signed by `owner`.
    error ERC2612InvalidSigner(address signer, address owner);
    /// @notice The authorization is not valid yet: block.timestamp <= validAfter.
    error ERC3009NotYetValid(uint256 validAfter);
    /// @notice The authorization has expired: block.timestamp >= validBefore.
    error ERC3009Expired(uint256 validBefore);
    /// @notice The authorization nonce was already used or canceled.
    error ERC3009UsedOrCanceled(address authorizer, bytes32 nonce);
    /// @notice The authorization was not signed by the authorizer (`from`).
    error ERC3009InvalidSigner(address signer, address authorizer);
    /// @notice receiveWithAuthorization was called by someone other than the payee `to`.
    error ERC3009CallerNotPayee(address caller, address payee);
    /// @notice mint() was paid less than MIN_MINT_VALUE.
    error MintValueTooLow();
    /// @notice mintTo was called by someone other than the minter.
    error NotMinter();
    /// @notice The total supply would not fit in a uint192.
    error SupplyOverflow();

    /// @param initialSupply Base units minted to the deployer, who becomes the minter.
    constructor(uint256 initialSupply) EIP712("Demo Dollar", "2") {
        minter = msg.sender;
        _mint(msg.sender, initialSupply);
    }

    /// @inheritdoc IERC20Metadata
    function name() external pure returns (string memory) {
        return "Demo Dollar";
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external pure returns (string memory) {
        return "dUSD";
    }

    /// @inheritdoc IERC20Metadata
    function decimals() external pure returns (uint8) {
        return 6;
    }

    /// @notice The EIP-712 domain version, as USDC's `version()`.
    /// @return Always "2".
    function version() external pure returns (string memory) {
        return "2";
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

    /// @inheritdoc IERC3009
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return _authorizationStates[authorizer][nonce];
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
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, account >> 192, deadline));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != owner) revert ERC2612InvalidSigner(signer, owner);
        unchecked {
            _accounts[owner] = account + _NONCE_ONE; // 2^64 permits per account before the nonce wraps
        }
        _approve(owner, spender, value);
    }

    /// @inheritdoc IERC3009
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _useAuthorization(TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, v, r, s);
        _transfer(from, to, value);
    }

    /// @inheritdoc IERC3009
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (to != msg.sender) revert ERC3009CallerNotPayee(msg.sender, to);
        _useAuthorization(RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, v, r, s);
        _transfer(from, to, value);
    }

    /// @inheritdoc IERC3009
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external {
        if (_authorizationStates[authorizer][nonce]) revert ERC3009UsedOrCanceled(authorizer, nonce);
        bytes32 structHash = keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != authorizer) revert ERC3009InvalidSigner(signer, authorizer);
        _authorizationStates[authorizer][nonce] = true;
        emit AuthorizationCanceled(authorizer, nonce);
    }

    /// @notice Buys demo dollars for ETH: at least 0.1 ETH, credited at 50 dUSD per 0.1 ETH
    /// (msg.value / WEI_PER_UNIT base units, rounded down).
    function mint() external payable {
        if (msg.value < MIN_MINT_VALUE) revert MintValueTooLow();
        uint256 amount = msg.value / WEI_PER_UNIT;
        _mint(msg.sender, amount);
        emit Minted(msg.sender, amount);
    }

    /// @notice Faucet: the minter (the deployer) credits `amount` base units to `to` for free.
    /// @param to Recipient.
    /// @param amount Base units.
    function mintTo(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter();
        _mint(to, amount);
        emit Minted(to, amount);
    }

    /// @dev USDC's checks in USDC's order: validAfter < now < validBefore, nonce unused, then the signature;
    /// marks the nonce used.
    function _useAuthorization(
        bytes32 typehash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) private {
        if (block.timestamp <= validAfter) revert ERC3009NotYetValid(validAfter);
        if (block.timestamp >= validBefore) revert ERC3009Expired(validBefore);
        if (_authorizationStates[from][nonce]) revert ERC3009UsedOrCanceled(from, nonce);
        bytes32 structHash = keccak256(abi.encode(typehash, from, to, value, validAfter, validBefore, nonce));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != from) revert ERC3009InvalidSigner(signer, from);
        _authorizationStates[from][nonce] = true;
        emit AuthorizationUsed(from, nonce);
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

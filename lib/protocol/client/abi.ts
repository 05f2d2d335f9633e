/**
 * The parts of the channel contract's and an ERC-20 (+ EIP-2612, EIP-5267) token's ABIs the payer
 * calls. Kept here so the payer core imports nothing outside lib/protocol; a unit test holds them to
 * the generated ABIs of lib/chain/abi.ts.
 */
import { parseAbi } from "viem";

/** What the payer calls on `MicroTransferChannels`. */
export const payerChannelsAbi = parseAbi([
  "function token() view returns (address)",
  "function challengePeriod() view returns (uint32)",
  "function createChannel(address receiver, uint192 deposit, address signer)",
  "function createChannelWithPermit(address receiver, uint192 deposit, address signer, uint256 deadline, uint8 v, bytes32 r, bytes32 s)",
  "function topUp(address receiver, uint32 openBlockNumber, uint192 addedDeposit)",
  "function topUpWithPermit(address receiver, uint32 openBlockNumber, uint192 addedDeposit, uint256 deadline, uint8 v, bytes32 r, bytes32 s)",
  "function cooperativeClose(address sender, address receiver, uint32 openBlockNumber, uint192 balance, bytes balanceSig, bytes closingSig)",
  "function uncooperativeClose(address receiver, uint32 openBlockNumber, uint192 balance)",
  "function settle(address receiver, uint32 openBlockNumber)",
  "function getChannelInfo(address sender, address receiver, uint32 openBlockNumber) view returns (bytes32 key, uint192 deposit, uint32 settleBlockNumber, uint192 closingBalance, uint192 withdrawnBalance, address signer)",
  "event ChannelCreated(address indexed sender, address indexed receiver, uint32 indexed openBlockNumber, uint192 deposit, address signer)",
  "error ChannelNotFound()",
  "error ChannelClosing()",
  "error ChannelExists()",
  "error ChallengePeriodNotOver()",
  "error ChannelNotClosing()",
  "error BalanceExceedsDeposit()",
  "error BalanceBelowWithdrawn()",
  "error InvalidBalanceProof()",
  "error InvalidClosingProof()",
  "error DepositOverflow()",
]);

/** What the payer calls on the token: ERC-20, and EIP-2612 / EIP-5267 when the token has them. */
export const payerTokenAbi = parseAbi([
  "function balanceOf(address owner) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 value) returns (bool)",
  "function nonces(address owner) view returns (uint256)",
  "function DOMAIN_SEPARATOR() view returns (bytes32)",
  "function name() view returns (string)",
  "function version() view returns (string)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
]);

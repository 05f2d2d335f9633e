/**
 * Relayed opens and top-ups (docs/protocol.md "Contract"): the sender signs one EIP-3009
 * `ReceiveWithAuthorization` in the token's EIP-712 domain, paying the channel contract, and
 * anyone submits it with `createChannelWithAuthorization` / `topUpWithAuthorization`. The
 * authorization's nonce is derived from the channel's parameters exactly as the contract derives
 * it, so the one signature also fixes the receiver and the signer (open) or the channel (top-up).
 * Browser-safe: imports only viem.
 */
import {
  encodeAbiParameters,
  encodePacked,
  getAddress,
  keccak256,
  parseAbi,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { signTyped, type ProofSignerSource } from "./proofs";
import { parseSignatureHex } from "./signature";

/** The EIP-712 domain of an EIP-3009 token (`{ name, version, chainId, verifyingContract }`). */
export type TokenDomain = {
  readonly name: string;
  readonly version: string;
  readonly chainId: number;
  readonly verifyingContract: Address;
};

/** The EIP-712 type string of EIP-3009's `ReceiveWithAuthorization` (USDC's). */
export const RECEIVE_WITH_AUTHORIZATION_TYPE_STRING =
  "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)";

/** viem typed-data types of {@link RECEIVE_WITH_AUTHORIZATION_TYPE_STRING}. */
export const receiveWithAuthorizationTypes = {
  ReceiveWithAuthorization: [
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "validAfter", type: "uint256" },
    { name: "validBefore", type: "uint256" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

/** The message of a ReceiveWithAuthorization: `from` pays `value` to `to`, who must submit it. */
export type ReceiveAuthorizationMessage = {
  from: Address;
  to: Address;
  value: bigint;
  /** Valid only when `block.timestamp > validAfter` (unix seconds). */
  validAfter: bigint;
  /** Valid only when `block.timestamp < validBefore` (unix seconds). */
  validBefore: bigint;
  nonce: Hex;
};

/** The sender's signed wish to open a channel through `createChannelWithAuthorization`. */
export type OpenAuthorization = {
  sender: Address;
  receiver: Address;
  deposit: bigint;
  /** Session key named at creation; `address(0)` means the sender. Hashed into the nonce as given. */
  signer: Address;
  /** Any 32 bytes the sender picks (makes the nonce unique). */
  salt: Hex;
  validAfter: bigint;
  validBefore: bigint;
};

/** The sender's signed wish to top up a channel through `topUpWithAuthorization`. */
export type TopUpAuthorization = {
  sender: Address;
  receiver: Address;
  openBlockNumber: number;
  /** Tokens to add (`addedDeposit`, non-zero). */
  amount: bigint;
  salt: Hex;
  validAfter: bigint;
  validBefore: bigint;
};

/** EIP-5267 `eip712Domain()` and EIP-3009 `authorizationState`, the token reads this module needs. */
export const eip3009TokenAbi = parseAbi([
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)",
  "function authorizationState(address authorizer, bytes32 nonce) view returns (bool)",
]);

/**
 * Builds a token's EIP-712 domain from known values (USDC: `{ name: "USD Coin", version: "2" }`).
 *
 * @param params.token - the token's address, any case (checksummed in the result)
 */
export function tokenDomain(params: {
  name: string;
  version: string;
  chainId: number;
  token: Address | string;
}): TokenDomain {
  return {
    name: params.name,
    version: params.version,
    chainId: params.chainId,
    verifyingContract: getAddress(params.token),
  };
}

/** EIP-5267 field bits: name, version, chainId, verifyingContract, salt. */
const NAME_VERSION_CHAIN_CONTRACT = 0x0f;
const SALT = 0x10;

/**
 * Reads a token's EIP-712 domain from its EIP-5267 `eip712Domain()`.
 *
 * @throws viem's contract error when the token has no `eip712Domain()`; an `Error` when its domain
 *   is not `{ name, version, chainId, verifyingContract }` (a salt, or fields missing)
 * @example
 * const domain = await readTokenDomain(publicClient, tokenAddress);
 */
export async function readTokenDomain(
  client: Pick<PublicClient, "readContract">,
  token: Address,
): Promise<TokenDomain> {
  const [fields, name, version, chainId, verifyingContract] = await client.readContract({
    address: token,
    abi: eip3009TokenAbi,
    functionName: "eip712Domain",
  });
  const bits = parseInt(fields.slice(2, 4), 16);
  if ((bits & NAME_VERSION_CHAIN_CONTRACT) !== NAME_VERSION_CHAIN_CONTRACT || bits & SALT)
    throw new Error(
      `token ${token}: EIP-712 domain fields ${fields} are not { name, version, chainId, verifyingContract }`,
    );
  return tokenDomain({ name, version, chainId: Number(chainId), token: verifyingContract });
}

/**
 * The authorization nonce of `createChannelWithAuthorization`:
 * `keccak256(abi.encode(receiver, signer, salt))`.
 */
export function openAuthorizationNonce(params: {
  receiver: Address;
  signer: Address;
  salt: Hex;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "address" }, { type: "address" }, { type: "bytes32" }],
      [params.receiver, params.signer, params.salt],
    ),
  );
}

/** A channel's key, as the contract's `getKey`: `keccak256(sender ‖ receiver ‖ uint32 openBlockNumber)`. */
export function channelKey(params: {
  sender: Address;
  receiver: Address;
  openBlockNumber: number;
}): Hex {
  return keccak256(
    encodePacked(
      ["address", "address", "uint32"],
      [params.sender, params.receiver, params.openBlockNumber],
    ),
  );
}

/**
 * The authorization nonce of `topUpWithAuthorization`: `keccak256(abi.encode(key, salt))` with the
 * channel's {@link channelKey}.
 */
export function topUpAuthorizationNonce(params: {
  sender: Address;
  receiver: Address;
  openBlockNumber: number;
  salt: Hex;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }],
      [channelKey(params), params.salt],
    ),
  );
}

/** The ReceiveWithAuthorization message of an open: `to` is the channel contract. */
export function openAuthorizationMessage(
  contract: Address,
  open: OpenAuthorization,
): ReceiveAuthorizationMessage {
  return {
    from: open.sender,
    to: getAddress(contract),
    value: open.deposit,
    validAfter: open.validAfter,
    validBefore: open.validBefore,
    nonce: openAuthorizationNonce(open),
  };
}

/** The ReceiveWithAuthorization message of a top-up: `to` is the channel contract. */
export function topUpAuthorizationMessage(
  contract: Address,
  topUp: TopUpAuthorization,
): ReceiveAuthorizationMessage {
  return {
    from: topUp.sender,
    to: getAddress(contract),
    value: topUp.amount,
    validAfter: topUp.validAfter,
    validBefore: topUp.validBefore,
    nonce: topUpAuthorizationNonce(topUp),
  };
}

/** Arguments of {@link signReceiveAuthorization}. */
export type SignReceiveAuthorizationParameters = ProofSignerSource & {
  domain: TokenDomain;
  message: ReceiveAuthorizationMessage;
};

/**
 * Signs a ReceiveWithAuthorization in the token's domain (`eth_signTypedData_v4` through a
 * wallet client, or a local account).
 *
 * @returns a 65-byte `r ‖ s ‖ v` hex signature with `v ∈ {27, 28}` and low `s`
 */
export function signReceiveAuthorization(params: SignReceiveAuthorizationParameters): Promise<Hex> {
  const { domain, message } = params;
  return signTyped(
    params,
    {
      domain,
      types: receiveWithAuthorizationTypes,
      primaryType: "ReceiveWithAuthorization",
      message,
    },
    "signReceiveAuthorization",
  );
}

/**
 * Signs the authorization of a relayed open (the sender's only signature; it pays no gas).
 *
 * @example
 * const domain = await readTokenDomain(publicClient, token);
 * const signature = await signOpenAuthorization({
 *   account, domain, contract,
 *   authorization: { sender: account.address, receiver, deposit, signer: sessionKey.address,
 *     salt: randomSalt(), validAfter: 0n, validBefore: BigInt(Math.floor(Date.now() / 1000) + 600) },
 * });
 */
export function signOpenAuthorization(
  params: ProofSignerSource & {
    domain: TokenDomain;
    contract: Address;
    authorization: OpenAuthorization;
  },
): Promise<Hex> {
  return signReceiveAuthorization({
    ...params,
    message: openAuthorizationMessage(params.contract, params.authorization),
  } as SignReceiveAuthorizationParameters);
}

/** Signs the authorization of a relayed top-up of one channel. */
export function signTopUpAuthorization(
  params: ProofSignerSource & {
    domain: TokenDomain;
    contract: Address;
    authorization: TopUpAuthorization;
  },
): Promise<Hex> {
  return signReceiveAuthorization({
    ...params,
    message: topUpAuthorizationMessage(params.contract, params.authorization),
  } as SignReceiveAuthorizationParameters);
}

/**
 * Recovers the address that signed a ReceiveWithAuthorization.
 *
 * @param signature - untrusted hex; rejected unless 65 bytes with `v ∈ {27, 28}` and low `s`
 * @returns the checksummed signer, or `null` for a malformed signature or message
 */
export async function recoverReceiveAuthorizationSigner(
  domain: TokenDomain,
  message: ReceiveAuthorizationMessage,
  signature: string,
): Promise<Address | null> {
  if (!parseSignatureHex(signature).ok) return null;
  try {
    return await recoverTypedDataAddress({
      domain,
      types: receiveWithAuthorizationTypes,
      primaryType: "ReceiveWithAuthorization",
      message,
      signature: signature as Hex,
    });
  } catch {
    return null;
  }
}

/** Whether `signature` authorizes this open: signed by its sender for this contract and nonce. */
export async function verifyOpenAuthorization(
  domain: TokenDomain,
  contract: Address,
  open: OpenAuthorization,
  signature: string,
): Promise<boolean> {
  const by = await recoverReceiveAuthorizationSigner(
    domain,
    openAuthorizationMessage(contract, open),
    signature,
  );
  return by !== null && by.toLowerCase() === open.sender.toLowerCase();
}

/** Whether `signature` authorizes this top-up: signed by its sender for this contract and channel. */
export async function verifyTopUpAuthorization(
  domain: TokenDomain,
  contract: Address,
  topUp: TopUpAuthorization,
  signature: string,
): Promise<boolean> {
  const by = await recoverReceiveAuthorizationSigner(
    domain,
    topUpAuthorizationMessage(contract, topUp),
    signature,
  );
  return by !== null && by.toLowerCase() === topUp.sender.toLowerCase();
}

/**
 * Splits a protocol-format signature into the `v, r, s` the contract functions take.
 *
 * @throws TypeError when it is not 65 bytes with `v ∈ {27, 28}` and low `s`
 */
export function authorizationVrs(signature: string): { v: number; r: Hex; s: Hex } {
  const parsed = parseSignatureHex(signature);
  if (!parsed.ok) throw new TypeError(`not a protocol signature (${parsed.reason})`);
  return { v: parsed.v, r: parsed.r as Hex, s: parsed.s as Hex };
}

/** 32 random bytes for an authorization's salt (Web Crypto: browsers and Node). */
export function randomSalt(): Hex {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

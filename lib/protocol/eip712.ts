/**
 * EIP-712 domain and typed-data definitions for the channel contract's two proofs
 * (PROTOCOL.md §1 "Signatures") and the sender's signed close request to the site. Browser-safe:
 * imports only viem.
 */
import { getAddress, hashTypedData, type Address, type Hex } from "viem";

/** The `name` field of the contract's EIP-712 domain. */
export const EIP712_DOMAIN_NAME = "MicroTransferChannels";
/** The `version` field of the contract's EIP-712 domain. */
export const EIP712_DOMAIN_VERSION = "1";

/** The EIP-712 domain of one `MicroTransferChannels` deployment. */
export type ChannelDomain = {
  readonly name: typeof EIP712_DOMAIN_NAME;
  readonly version: typeof EIP712_DOMAIN_VERSION;
  readonly chainId: number;
  readonly verifyingContract: Address;
};

/** Identifies a channel: `(sender, receiver, openBlockNumber)`. */
export type ChannelId = {
  sender: Address;
  receiver: Address;
  /** Block in which the channel was created (`uint32`). */
  openBlockNumber: number;
};

/** The message of a BalanceProof or ClosingProof: a channel and its cumulative balance (`uint192`). */
export type ProofMessage = ChannelId & { balance: bigint };

/** Which of the two proofs a signature is over. */
export type ProofKind = "BalanceProof" | "ClosingProof";

/**
 * Builds the EIP-712 domain of a channel contract deployment.
 *
 * @param params.chainId - chain the contract lives on
 * @param params.contract - `MicroTransferChannels` address, any case (checksummed in the result)
 * @throws viem's `InvalidAddressError` when `contract` is not an address (a configuration bug)
 */
export function channelDomain(params: {
  chainId: number;
  contract: Address | string;
}): ChannelDomain {
  return {
    name: EIP712_DOMAIN_NAME,
    version: EIP712_DOMAIN_VERSION,
    chainId: params.chainId,
    verifyingContract: getAddress(params.contract),
  };
}

const proofFields = [
  { name: "sender", type: "address" },
  { name: "receiver", type: "address" },
  { name: "openBlockNumber", type: "uint32" },
  { name: "balance", type: "uint192" },
] as const;

/** viem typed-data types of `BalanceProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)`. */
export const balanceProofTypes = { BalanceProof: proofFields } as const;

/** viem typed-data types of `ClosingProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)`. */
export const closingProofTypes = { ClosingProof: proofFields } as const;

/** The EIP-712 type strings, as hashed into each proof's type hash. */
export const PROOF_TYPE_STRINGS = {
  BalanceProof:
    "BalanceProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)",
  ClosingProof:
    "ClosingProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)",
} as const satisfies Record<ProofKind, string>;

/**
 * The EIP-712 digest (`keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(BalanceProof))`) that the
 * channel's signer signs.
 *
 * @throws viem errors when the message does not fit its types (bad address, out-of-range integer)
 */
export function balanceProofDigest(domain: ChannelDomain, message: ProofMessage): Hex {
  return hashTypedData({ domain, types: balanceProofTypes, primaryType: "BalanceProof", message });
}

/**
 * The EIP-712 digest of a ClosingProof, which the receiver signs to allow a cooperative close.
 *
 * @throws viem errors when the message does not fit its types
 */
export function closingProofDigest(domain: ChannelDomain, message: ProofMessage): Hex {
  return hashTypedData({ domain, types: closingProofTypes, primaryType: "ClosingProof", message });
}

/**
 * A sender's signed request for the receiver's closing signature (`DELETE
 * /api/1/channels/:sender/:open_block`). Never sent to the contract: its own type hash keeps it from
 * being mistaken for a BalanceProof or ClosingProof.
 */
export type CloseRequestMessage = ProofMessage & {
  /** 32 random bytes chosen by the client; the server accepts each one once. */
  nonce: Hex;
  /** Unix time in seconds after which the request is void (`uint64`). */
  expires: bigint;
};

/** viem typed-data types of `CloseRequest(address sender,address receiver,uint32 openBlockNumber,uint192 balance,bytes32 nonce,uint64 expires)`. */
export const closeRequestTypes = {
  CloseRequest: [
    ...proofFields,
    { name: "nonce", type: "bytes32" },
    { name: "expires", type: "uint64" },
  ],
} as const;

/** viem typed-data types of EIP-2612's `Permit`, signed in the token's own domain to open or top up in one transaction. */
export const permitTypes = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** The EIP-712 type string of a close request, as hashed into its type hash. */
export const CLOSE_REQUEST_TYPE_STRING =
  "CloseRequest(address sender,address receiver,uint32 openBlockNumber,uint192 balance,bytes32 nonce,uint64 expires)";

/**
 * The EIP-712 digest of a CloseRequest, which the channel's sender or signer signs.
 *
 * @throws viem errors when the message does not fit its types
 */
export function closeRequestDigest(domain: ChannelDomain, message: CloseRequestMessage): Hex {
  return hashTypedData({
    domain,
    types: closeRequestTypes,
    primaryType: "CloseRequest",
    message,
  });
}

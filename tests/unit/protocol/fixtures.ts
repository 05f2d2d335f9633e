/** Shared fixed vectors and builders for the protocol tests (anvil dev keys, chain 31337). */
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "viem";
import { channelDomain, type ChannelDomain, type ProofMessage } from "@/lib/protocol";

/** anvil account 0: the channel sender. */
export const SENDER_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/** anvil account 1: the receiver. */
export const RECEIVER_KEY: Hex =
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
export const sender = privateKeyToAccount(SENDER_KEY);
export const receiver = privateKeyToAccount(RECEIVER_KEY);

export const CHAIN_ID = 31337;
export const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
export const domain: ChannelDomain = channelDomain({ chainId: CHAIN_ID, contract: CONTRACT });

/** Builds a proof message; the fixed vector unless overridden. */
export function buildMessage(overrides: Partial<ProofMessage> = {}): ProofMessage {
  return {
    sender: sender.address,
    receiver: receiver.address,
    openBlockNumber: 1234567,
    balance: 1_500_000_000_000_000_000n,
    ...overrides,
  };
}

/** Builds a domain; the fixed one unless overridden. */
export function buildDomain(
  overrides: { chainId?: number; contract?: string } = {},
): ChannelDomain {
  return channelDomain({
    chainId: overrides.chainId ?? CHAIN_ID,
    contract: overrides.contract ?? CONTRACT,
  });
}

/**
 * Pinned outputs for `buildMessage()` under `domain`, computed once and checked against anvil's own
 * `eth_signTypedData_v4` (tests/integration/eip712-anvil.test.ts). A change here is a protocol change.
 */
export const PINNED = {
  domainSeparator: "0xaa87087b705be969798b51ec1302d6fe4444ff59115fa910bf0b8b017beb7b25",
  balanceProofTypeHash: "0x967f5f9db651b8a22d6db453be525c941066a295e60f6b15d360cf1faf8ad6d6",
  closingProofTypeHash: "0xce39fa1e46588e3d02825c5eeeab9ff46c320e4c470e3fa1f46f10552873d75f",
  balanceProofDigest: "0x6e07bd02e51fc6379e917ef7b11901a8ae19dfe6a99460e154d45352093025b6",
  closingProofDigest: "0xc4f015da84ed386bbc122c4d03f83133eebd32d1ae33ad5ca0283f1c838db707",
  /** BalanceProof signed by the sender (anvil account 0). */
  balanceProofSignature:
    "0x19afe8796d28c025fdd8aef4ee62b5be2ae558d0fe55c755e8a32591d3cf451f39e6933ec2c3c9d690972c5cdcff81030e01811a463f7620604a549f75f331361b",
  /** ClosingProof signed by the receiver (anvil account 1). */
  closingProofSignature:
    "0xbecf157086a28ed86e9110015d1e89f43988fdcdb57e627329401bd8488e19123c62c96dba2bc87767e9c9c138e04a7cb07caa0016d444759c2f08a808bd6e7f1b",
} as const satisfies Record<string, Hex>;

export const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const word = (x: bigint) => x.toString(16).padStart(64, "0");

/** The malleated twin of a valid signature: `s' = n − s`, `v` flipped. Recovers the same key. */
export function highSTwin(signature: Hex): Hex {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130), 16);
  return `0x${signature.slice(2, 66)}${word(N - s)}${(v === 27 ? 28 : 27).toString(16)}`;
}

/** Replaces `r`, `s` or `v` of a signature. */
export function withParts(signature: Hex, parts: { r?: bigint; s?: bigint; v?: number }): Hex {
  const r = parts.r === undefined ? signature.slice(2, 66) : word(parts.r);
  const s = parts.s === undefined ? signature.slice(66, 130) : word(parts.s);
  const v = parts.v === undefined ? signature.slice(130) : parts.v.toString(16).padStart(2, "0");
  return `0x${r}${s}${v}`;
}

/**
 * Malformed variants of a valid signature, each with the reason `parseSignatureHex` must give.
 * Every one must make both recoverers return null.
 */
export function malformedSignatures(
  valid: Hex,
): { name: string; signature: string; reason: string }[] {
  return [
    { name: "one byte short", signature: valid.slice(0, -2), reason: "length" },
    { name: "one byte long", signature: `${valid}00`, reason: "length" },
    { name: "64-byte compact (EIP-2098 size)", signature: valid.slice(0, 130), reason: "length" },
    { name: "empty", signature: "0x", reason: "length" },
    { name: "odd length", signature: valid.slice(0, -1), reason: "length" },
    { name: "non-hex digit", signature: `${valid.slice(0, 10)}g${valid.slice(11)}`, reason: "hex" },
    { name: "no 0x prefix", signature: valid.slice(2), reason: "hex" },
    { name: "empty string", signature: "", reason: "hex" },
    { name: "v = 0", signature: withParts(valid, { v: 0 }), reason: "v" },
    { name: "v = 1", signature: withParts(valid, { v: 1 }), reason: "v" },
    { name: "v = 29", signature: withParts(valid, { v: 29 }), reason: "v" },
    { name: "v = 0x1b + 0x80", signature: withParts(valid, { v: 0x9b }), reason: "v" },
    { name: "high s (n − s, v flipped)", signature: highSTwin(valid), reason: "high-s" },
    { name: "s = n/2 + 1", signature: withParts(valid, { s: (N >> 1n) + 1n }), reason: "high-s" },
    { name: "s = 0", signature: withParts(valid, { s: 0n }), reason: "range" },
    { name: "r = 0", signature: withParts(valid, { r: 0n }), reason: "range" },
    { name: "r = n", signature: withParts(valid, { r: N }), reason: "range" },
  ];
}

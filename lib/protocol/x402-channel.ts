/**
 * The `rdn-channel` x402 scheme on the wire (docs/protocol.md "x402 scheme `rdn-channel`"): the
 * `extra` of its payment requirements, its payload (a BalanceProof), the error codes that mirror
 * the RDN failure headers, and the CAIP-2 network of a chain. Shared by the site and the payer;
 * only types come from @x402/core.
 */
import type { Address, Hex } from "viem";
import { z } from "zod";
import type { PaymentFailure } from "./headers";
import { addressSchema, openBlockSchema, signatureSchema, uint192Schema } from "./wire";
import { relayOfferSchema, type RelayOfferJson } from "./terms";

/** The scheme's name in `accepts[].scheme` and `PAYMENT-SIGNATURE`. */
export const RDN_CHANNEL_SCHEME = "rdn-channel";

/** The CAIP-2 network of an EVM chain: `eip155:<chainId>`. */
export const caip2 = (chainId: number) => `eip155:${chainId}` as const;

/** The chain id of an `eip155:<id>` network, or undefined. */
export function chainIdOfNetwork(network: string): number | undefined {
  const m = /^eip155:([1-9][0-9]{0,15})$/.exec(network);
  if (!m) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** An open block as a JSON integer or a decimal string. */
const openBlockInput = z.preprocess(
  (v) => (typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v),
  openBlockSchema,
);

/** A channel's last accepted proof, as a corrective 402 names it (`extra.channel`). */
export const channelProofSchema = z.object({
  sender: addressSchema,
  openBlock: openBlockInput,
  balance: uint192Schema,
  /** Null when nothing was paid on the channel yet. */
  signature: signatureSchema.nullable(),
});
export type ChannelProof = z.infer<typeof channelProofSchema>;

/** `extra` of an `rdn-channel` payment requirement. */
export const rdnChannelExtraSchema = z.object({
  contract: addressSchema,
  /** Blocks between an uncooperative close and its settlement. */
  challengePeriod: z.number().int().min(0),
  /** The smallest deposit a new channel needs to pay this request (base units). */
  minDeposit: uint192Schema,
  /** The site's API prefix (`/api/1`): channels, closes and relays live under it. */
  gatewayPath: z.string().min(1).max(256),
  relay: relayOfferSchema.optional(),
  channel: channelProofSchema.optional(),
});
export type RdnChannelExtra = z.infer<typeof rdnChannelExtraSchema>;

/** The wire form of {@link RdnChannelExtra} (amounts as decimal strings). */
export interface RdnChannelExtraJson {
  contract: Address;
  challengePeriod: number;
  minDeposit: string;
  gatewayPath: string;
  relay?: RelayOfferJson;
  channel?: { sender: Address; openBlock: number; balance: string; signature: Hex | null };
}

/** An `rdn-channel` payment requirement, checked (what the payer relies on). */
export const rdnChannelRequirementsSchema = z.object({
  scheme: z.literal(RDN_CHANNEL_SCHEME),
  network: z.string().refine((n) => chainIdOfNetwork(n) !== undefined, "must be eip155:<chainId>"),
  amount: uint192Schema,
  asset: addressSchema,
  payTo: addressSchema,
  maxTimeoutSeconds: z.number().int().min(0),
  extra: rdnChannelExtraSchema,
});
export type RdnChannelRequirements = z.infer<typeof rdnChannelRequirementsSchema>;

/** The payload of an `rdn-channel` payment: the BalanceProof at the new cumulative balance. */
export const rdnChannelPayloadSchema = z.object({
  sender: addressSchema,
  openBlock: openBlockInput,
  balance: uint192Schema,
  signature: signatureSchema,
});
export type RdnChannelPayload = z.infer<typeof rdnChannelPayloadSchema>;

/** The payload as sent: amounts as decimal strings. */
export interface RdnChannelPayloadJson {
  sender: Address;
  openBlock: number;
  balance: string;
  signature: Hex;
  [key: string]: unknown;
}

/** The x402 error code of each RDN failure (the `error` of a PAYMENT-REQUIRED). */
export const RDN_CHANNEL_ERRORS = {
  "payment-required": undefined,
  "insufficient-confirmations": "insufficient_confirmations",
  "nonexisting-channel": "nonexisting_channel",
  "invalid-balance-proof": "invalid_balance_proof",
  "invalid-amount": "invalid_amount",
  "insufficient-funds": "insufficient_funds",
} as const satisfies Record<PaymentFailure["reason"], string | undefined>;

/** The x402 error code of a failure; undefined for a plain 402 (no payment, or a sync). */
export function rdnChannelError(failure: PaymentFailure): string | undefined {
  return RDN_CHANNEL_ERRORS[failure.reason];
}

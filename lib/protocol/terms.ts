/**
 * Both directions of the paywall's headers: what a server's 402 or 200 says (`paymentTermsHeaders`
 * and its inverse `decodePaymentTerms`), what a client's paid request carries
 * (`encodePaymentHeaders`, read back by `parsePaymentRequest`), the JSON 402 body, and the words
 * every client uses to explain a failure.
 */
import type { Address, Hex } from "viem";
import { z } from "zod";
import { failureHeader, GATEWAY_PATH, RDN, type PaymentFailure } from "./headers";
import type { PaymentRequest } from "./payment-request";
import { addressSchema, chainIdSchema, signatureSchema, uint192Schema } from "./wire";

/** The receiver's identity as announced in every paywall response. */
export interface PaywallIdentity {
  receiver: Address;
  contract: Address;
  token: Address;
  chainId: number;
}

/** The last proof the server accepted on the named channel (a 402's corrective headers). */
export interface LastProof {
  sender: Address;
  balance: bigint;
  signature: Hex | null;
}

/** What a 402 or a paid 200 tells a client. */
export interface PaymentTerms extends PaywallIdentity {
  gatewayPath: string;
  /** What this request costs now. */
  price: bigint;
  /** Present when the request named a channel and its proof verified. */
  lastProof?: LastProof;
  /** Present on a 402 that carries a failure header. */
  failure?: PaymentFailure;
  /**
   * The site's relay offer, read from the JSON body of its 402 (never from headers): present only
   * when the site relays opens and top-ups.
   */
  relay?: RelayOffer;
}

/** The reader-facing explanation of each failure: every client says the same words. */
export const FAILURE_TEXT: Record<PaymentFailure["reason"], string> = {
  "payment-required": "Sign a balance proof from your payment channel to read on.",
  "insufficient-confirmations":
    "Your channel is on chain but not confirmed yet: wait a few blocks.",
  "nonexisting-channel":
    "No open channel from this sender to the site: open one (or top up a new one).",
  "invalid-balance-proof": "The balance proof's signature is not by the channel's signer.",
  "invalid-amount":
    "The balance must grow by exactly the price: resume from the site's last accepted balance.",
  "insufficient-funds": "The channel's deposit does not cover this payment: top it up.",
};

/** The RDN-* response headers announcing `identity`, `price` and, when known, the last proof and failure. */
export function paymentTermsHeaders(
  identity: PaywallIdentity,
  price: bigint,
  extra: { lastProof?: LastProof; failure?: PaymentFailure } = {},
): Record<string, string> {
  const headers: Record<string, string> = {
    [RDN.gatewayPath]: GATEWAY_PATH,
    [RDN.receiver]: identity.receiver,
    [RDN.contract]: identity.contract,
    [RDN.token]: identity.token,
    [RDN.chainId]: String(identity.chainId),
    [RDN.price]: price.toString(),
  };
  if (extra.lastProof) {
    headers[RDN.sender] = extra.lastProof.sender;
    headers[RDN.balance] = extra.lastProof.balance.toString();
    if (extra.lastProof.signature) headers[RDN.signature] = extra.lastProof.signature;
  }
  if (extra.failure) {
    const failure = failureHeader(extra.failure);
    if (failure) headers[failure[0]] = failure[1];
  }
  return headers;
}

/** Anything headers can be read from: a `Headers` object or a plain record (any case). */
export type HeadersLike = Headers | Record<string, string | undefined>;

function reader(headers: HeadersLike): (name: string) => string | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (name) => (headers as Headers).get(name)?.trim() || undefined;
  }
  const lower = new Map(
    Object.entries(headers as Record<string, string | undefined>).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  );
  return (name) => lower.get(name.toLowerCase())?.trim() || undefined;
}

/** Thrown by {@link decodePaymentTerms} when a response's RDN-* headers are missing or malformed. */
export class PaymentTermsError extends Error {
  override readonly name = "PaymentTermsError" as const;
  readonly header: string;
  constructor(header: string, message: string) {
    super(`${header}: ${message}`);
    this.header = header;
  }
}

function field<T>(get: (n: string) => string | undefined, name: string, schema: z.ZodType<T>): T {
  const value = get(name);
  if (value === undefined) throw new PaymentTermsError(name, "is missing");
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new PaymentTermsError(name, parsed.error.issues[0]!.message);
  return parsed.data;
}

/**
 * Reads what a paywall response says: identity, price, the last accepted proof (when present) and
 * the failure (when present). The inverse of {@link paymentTermsHeaders}.
 *
 * @throws {@link PaymentTermsError} naming the header when a required one is missing or malformed
 * @example
 * const res = await fetch(url);
 * if (res.status === 402) {
 *   const terms = decodePaymentTerms(res.headers); // { price, receiver, contract, chainId, ... }
 * }
 */
export function decodePaymentTerms(headers: HeadersLike): PaymentTerms {
  const get = reader(headers);
  const terms: PaymentTerms = {
    gatewayPath: get(RDN.gatewayPath) ?? GATEWAY_PATH,
    receiver: field(get, RDN.receiver, addressSchema),
    contract: field(get, RDN.contract, addressSchema),
    token: field(get, RDN.token, addressSchema),
    chainId: field(get, RDN.chainId, chainIdSchema),
    price: field(get, RDN.price, uint192Schema),
  };
  if (get(RDN.sender) !== undefined && get(RDN.balance) !== undefined) {
    terms.lastProof = {
      sender: field(get, RDN.sender, addressSchema),
      balance: field(get, RDN.balance, uint192Schema),
      signature:
        get(RDN.signature) === undefined ? null : field(get, RDN.signature, signatureSchema),
    };
  }
  const missing = get(RDN.insufficientConfirmations);
  if (missing !== undefined) {
    const n = Number(missing);
    terms.failure = {
      reason: "insufficient-confirmations",
      missing: Number.isSafeInteger(n) && n > 0 ? n : 1,
    };
  } else if (get(RDN.nonexistingChannel) !== undefined) {
    terms.failure = { reason: "nonexisting-channel" };
  } else if (get(RDN.invalidBalanceProof) !== undefined) {
    terms.failure = { reason: "invalid-balance-proof" };
  } else if (get(RDN.invalidAmount) !== undefined) {
    terms.failure = { reason: "invalid-amount" };
  } else if (get(RDN.insufficientFunds) !== undefined) {
    terms.failure = { reason: "insufficient-funds" };
  }
  return terms;
}

/** A balance proof as a client sends it with a request: what `parsePaymentRequest` reads back. */
export type PaymentProof = PaymentRequest;

/**
 * The request headers carrying a payment (PROTOCOL.md §2); `parsePaymentRequest` reads them back.
 *
 * @example
 * await fetch(url, { headers: encodePaymentHeaders({ sender, openBlock, balance, signature }) });
 */
export function encodePaymentHeaders(proof: PaymentProof): Record<string, string> {
  const headers: Record<string, string> = {
    [RDN.sender]: proof.sender,
    [RDN.openBlock]: String(proof.openBlock),
    [RDN.balance]: proof.balance.toString(),
    [RDN.signature]: proof.signature,
  };
  if (proof.payment !== undefined) headers[RDN.payment] = proof.payment.toString();
  if (proof.receiver) headers[RDN.receiver] = proof.receiver;
  if (proof.contract) headers[RDN.contract] = proof.contract;
  return headers;
}

/**
 * A site's offer to open and top up channels for the payer (docs/protocol.md "Relayed opens and
 * top-ups"): present in a 402's JSON body only when the site relays (RELAY_ENABLED) and its token
 * implements EIP-3009. `url` is the open route (`/api/1/channels`, relative to the site's origin);
 * a channel's top-ups go to `<url>/<sender>/<open_block>/topups`.
 */
export const relayOfferSchema = z.object({
  url: z.string().min(1).max(512),
  /** The smallest deposit or top-up the relay accepts (base units). */
  min_deposit: uint192Schema,
  /** Seconds an authorization must still be valid when it reaches the site. */
  min_validity_seconds: z.number().int().min(0).max(86_400),
});
export type RelayOffer = z.infer<typeof relayOfferSchema>;
/** The relay offer as sent (wire form: `min_deposit` a decimal string). */
export type RelayOfferJson = z.input<typeof relayOfferSchema>;

/** The JSON body of a 402 for clients that do not accept HTML. */
export const paymentRequiredBodySchema = z.object({
  error: z.literal("payment required"),
  reason: z.enum([
    "payment-required",
    "insufficient-confirmations",
    "nonexisting-channel",
    "invalid-balance-proof",
    "invalid-amount",
    "insufficient-funds",
  ]),
  message: z.string(),
  price: uint192Schema,
  receiver: addressSchema,
  contract: addressSchema,
  token: addressSchema,
  chain_id: z.number().int().positive(),
  gateway: z.string(),
  relay: relayOfferSchema.optional(),
});
export type PaymentRequiredBody = z.infer<typeof paymentRequiredBodySchema>;

/** The JSON 402 body as sent (wire form: `price` a decimal string). */
export type PaymentRequiredBodyJson = z.input<typeof paymentRequiredBodySchema>;

/**
 * The JSON body of a 402 for `failure`, as the server sends it; `paymentRequiredBodySchema` reads
 * it back. Building it here keeps the server and the schema from drifting apart. `relay` is the
 * site's relay offer, when it has one.
 *
 * @example
 * Response.json(paymentRequiredBody(identity, price, { reason: "payment-required" }), {
 *   status: 402,
 *   headers: paymentTermsHeaders(identity, price),
 * });
 */
export function paymentRequiredBody(
  identity: PaywallIdentity,
  price: bigint,
  failure: PaymentFailure,
  relay?: RelayOfferJson,
): PaymentRequiredBodyJson {
  return {
    error: "payment required",
    reason: failure.reason,
    message: FAILURE_TEXT[failure.reason],
    price: price.toString(),
    receiver: identity.receiver,
    contract: identity.contract,
    token: identity.token,
    chain_id: identity.chainId,
    gateway: GATEWAY_PATH,
    ...(relay ? { relay } : {}),
  };
}

/**
 * The x402 v2 envelope of a 402 (docs/protocol.md "x402 envelope"): the `PAYMENT-REQUIRED` header
 * sent beside the RDN-* headers and the JSON body, which stay as they are. It is another renderer
 * of the paywall's one decision (lib/paywall/decide.ts), not a second one: it lists, in `accepts`,
 * the offers this site's payment schemes make for the resource at its price.
 */
import type { PaymentRequired, PaymentRequirements } from "@x402/core/types";
import { encodePaymentRequiredHeader } from "@x402/core/http";
import type { ChainConfig } from "@/lib/chain/config";
import type { PaywallIdentity } from "@/lib/protocol/paywall";
import { exactAccepts } from "./exact-offer";

/** The x402 version this site speaks. */
export const X402_VERSION = 2;

/** The x402 header names (HTTP transport, v2). */
export const X402_HEADERS = {
  required: "PAYMENT-REQUIRED",
  signature: "PAYMENT-SIGNATURE",
  response: "PAYMENT-RESPONSE",
} as const;

/** What an offer builder knows about the resource it prices. */
export interface OfferContext {
  chain: ChainConfig;
  identity: PaywallIdentity;
  /** Price of this request in token base units (> 0). */
  price: bigint;
}

/**
 * Builds the `accepts` entries of one scheme for a resource: none when the scheme cannot be
 * offered here (e.g. `exact` with a token without EIP-3009). Never throws for an expected
 * absence; an RPC failure may reject (the envelope then leaves that scheme out).
 */
export type OfferBuilder = (ctx: OfferContext) => Promise<PaymentRequirements[]>;

/**
 * The schemes offered for every resource alike. The `rdn-channel` entry depends on the request
 * (the channel it named, its last proof), so the decision builds it (`rdnChannelAccepts`,
 * lib/x402/rdn-channel.ts) and passes it as `leading`.
 */
export const OFFER_BUILDERS: readonly OfferBuilder[] = [exactAccepts];

/** The CAIP-2 network of a chain id (`eip155:31337`). */
export const caip2 = (chainId: number) => `eip155:${chainId}` as const;

export interface EnvelopeInput extends OfferContext {
  /** The resource's URL as requested. */
  url: string;
  /** Why the request was not served (a failed payment), or the default "payment required". */
  error?: string;
  /** Offer builders to use instead of {@link OFFER_BUILDERS} (tests). */
  builders?: readonly OfferBuilder[];
  /** Entries built for this request, listed first (preferred): the `rdn-channel` offer. */
  leading?: readonly PaymentRequirements[];
}

/**
 * The `PaymentRequired` object of a 402: every builder's offers, in order; a builder that fails
 * (RPC down) is left out of this answer.
 *
 * @example
 * const required = await paymentRequired({ chain, identity, price: 50_000n, url: req.url });
 * headers.set(X402_HEADERS.required, encodePaymentRequiredHeader(required));
 */
export async function paymentRequired(input: EnvelopeInput): Promise<PaymentRequired> {
  const { url, error, builders = OFFER_BUILDERS, leading = [], ...ctx } = input;
  const offers = await Promise.all(
    builders.map((build) => build(ctx).catch((): PaymentRequirements[] => [])),
  );
  return {
    x402Version: X402_VERSION,
    error: error ?? "payment required",
    resource: { url: resourceUrl(url) },
    accepts: [...leading, ...offers.flat()],
  };
}

/** The `PAYMENT-REQUIRED` header value (base64 JSON) for {@link paymentRequired}'s input. */
export async function paymentRequiredHeader(input: EnvelopeInput): Promise<string> {
  return encodePaymentRequiredHeader(await paymentRequired(input));
}

/** The resource's URL without the payment cookies' or a grant's noise: origin, path and query. */
function resourceUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}${u.search}`;
}

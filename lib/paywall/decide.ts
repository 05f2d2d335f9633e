/**
 * The payment decision for one request of a priced resource, shared by `withPayment` (route
 * handlers: media, paid API routes, the upstream) and `proxy.ts` (article pages): a receipt, an
 * x402 `exact` payment (lib/x402/) or a valid balance proof grants the request, anything else gets
 * the 402 terms (RDN-* headers and body, and the x402 envelope). The payment is committed here,
 * before the caller produces the content.
 */
import type { Address, Hex } from "viem";
import { tokenUnit } from "@/lib/chain/token-info";
import { env } from "@/lib/env";
import { formatToken } from "@/lib/format";
import { RDN } from "@/lib/protocol/headers";
import { parsePaymentRequest } from "@/lib/protocol/payment-request";
import { paywallHeaders, processPayment, type PaymentOutcome } from "@/lib/protocol/paywall";
import { FAILURE_TEXT, paymentRequiredBody } from "@/lib/protocol/terms";
import type { PaymentFailure } from "@/lib/protocol/headers";
import { relayOffer } from "@/lib/relay/offer";
import type { PaymentRequirements } from "@x402/core/types";
import { rdnChannelError } from "@/lib/protocol/x402-channel";
import {
  PAYMENT_RESPONSE,
  PAYMENT_SIGNATURE,
  rdnChannelAccepts,
  rdnChannelPaymentRequest,
  rdnChannelPaymentResponseHeader,
  type RdnChannelParse,
} from "@/lib/x402/rdn-channel";
import { paymentRequiredHeader, X402_HEADERS } from "@/lib/x402/envelope";
import { handlePaymentSignature } from "@/lib/x402/payment-signature";
import { paywallContext, type PaywallContext } from "./context";
import { parseCookies } from "./cookies";
import { assertChainHealthy } from "./health";
import { createReceipt, RECEIPT_COOKIE, receiptKey, verifyReceipt } from "./receipt";
import type { PaywallInfo } from "./html";
import { verifyGrant } from "./verdict";

/** How the request was paid for, handed to the paid handler or page. */
export type Paid =
  | { type: "free" }
  | { type: "receipt"; sender: string }
  /** An image of a paid article, linked from its page with a grant. */
  | { type: "grant" }
  /** An x402 `exact` payment: the token transfer was mined before the content is served. */
  | { type: "x402"; payer: Address; transaction: Hex; network: string }
  | Extract<PaymentOutcome, { type: "paid" }>;

export interface DecideInput {
  /** Price in token base units; 0 grants the request without looking at it. */
  price: bigint;
  /** Exact name of what is served (a retried proof is free only for the same name). */
  resource: string;
  /** Path a receipt cookie is scoped to: set after a payment, accepted instead of one. */
  receiptPath?: string;
  /**
   * Never charge this request, only announce the price (HEAD, the client router's prefetches): a
   * receipt still grants it.
   */
  announceOnly?: boolean;
  /** A grant presented for `path` (lib/paywall/verdict.ts): a valid one grants the request. */
  grant?: { path: string; value: string | null };
}

/** The outcome of {@link decidePayment}. */
export type Decision =
  /** Served: `headers` are the RDN-* headers to send with the content. */
  | { type: "granted"; paid: Paid; headers: Record<string, string>; setCookie?: string }
  /** 402: the headers, the JSON body for programs and the text for people. */
  | {
      type: "payment-required";
      headers: Record<string, string>;
      body: ReturnType<typeof paymentRequiredBody>;
      info: PaywallInfo;
      failure: PaymentFailure;
      /**
       * The channel the request named and the last proof the site accepted on it, when its
       * signature verified (what the RDN-Sender-* headers carry, plus the open block).
       */
      channel?: { sender: string; openBlock: number; balance: bigint; signature: string | null };
      /** The `rdn-channel` entry for the x402 `accepts` of this 402 (lib/x402/rdn-channel.ts). */
      rdnChannel: PaymentRequirements;
      /** The x402 error code of the failure (`invalid_amount`…); undefined for a plain 402. */
      x402Error?: string;
      /** The x402 v2 envelope: the `PAYMENT-REQUIRED` header's value. */
      x402: string;
    }
  /**
   * A malformed payment: 409 naming the RDN-* header, or 400 naming `PAYMENT-SIGNATURE` (an
   * `rdn-channel` or `exact` payment that does not parse).
   */
  | { type: "malformed"; error: string; header: string; status: 400 | 409 };

let cachedKey: { secret: string; key: Buffer } | undefined;

/** The key receipts (and the proxy's verdicts) are signed with. */
export function receiptSigningKey(ctx: PaywallContext): Buffer {
  const secret = env().SESSION_SECRET ?? ctx.chain.derivedSecret;
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: receiptKey(secret) };
  return cachedKey.key;
}

/** The receipt cookie a payment by `sender` earns for `receiptPath` (none without one). */
function receiptCookie(
  req: Request,
  ctx: PaywallContext,
  receiptPath: string | undefined,
  sender: Address,
): string | undefined {
  const ttl = env().RECEIPT_TTL_SECONDS;
  if (!receiptPath || ttl <= 0) return undefined;
  const expires = Math.floor(Date.now() / 1000) + ttl;
  const value = createReceipt(receiptSigningKey(ctx), sender, receiptPath, expires);
  const secure = req.url.startsWith("https:") ? "; Secure" : "";
  return `${RECEIPT_COOKIE}=${value}; Path=${receiptPath}; Max-Age=${ttl}; HttpOnly; SameSite=Lax${secure}`;
}

/**
 * Decides whether `req` may have the priced resource: a valid receipt for `receiptPath` (bound to
 * the sender the request names, if any), else an x402 `PAYMENT-SIGNATURE` for exactly `price`
 * (settled on chain before this resolves), else a valid balance proof for exactly `price`
 * (committed before this resolves), else the 402 terms with the x402 envelope.
 *
 * @throws the chain's errors (502/503) when the paywall cannot decide
 */
export async function decidePayment(req: Request, input: DecideInput): Promise<Decision> {
  const { price, resource, receiptPath } = input;
  if (price === 0n) return { type: "granted", paid: { type: "free" }, headers: {} };

  const ctx = await paywallContext();
  await assertChainHealthy(ctx.chain);
  const cookieHeader = req.headers.get("cookie");
  const cookies = cookieHeader ? parseCookies(cookieHeader) : undefined;
  const channelX402 = x402Payment(req);
  if (channelX402?.type === "malformed") return { ...channelX402, status: 400 };
  const parsed =
    channelX402?.type === "payment"
      ? { ok: true as const, payment: channelX402.payment }
      : parsePaymentRequest(
          (name) => req.headers.get(name),
          cookies ? (name) => cookies.get(name) : undefined,
        );
  if (!parsed.ok)
    return { type: "malformed", error: parsed.error, header: parsed.header, status: 409 };

  if (input.grant && verifyGrant(ctx, input.grant.value, input.grant.path)) {
    return {
      type: "granted",
      paid: { type: "grant" },
      headers: paywallHeaders(ctx.identity, price, { type: "free" }),
    };
  }

  const key = receiptPath ? receiptSigningKey(ctx) : undefined;
  if (receiptPath && key) {
    const receipt = cookies?.get(RECEIPT_COOKIE);
    const holder = receipt ? verifyReceipt(key, receipt, receiptPath) : undefined;
    // Bound to the sender: a request naming another sender (with or without a proof) pays.
    const named = parsed.payment?.sender ?? req.headers.get(RDN.sender) ?? cookies?.get(RDN.sender);
    if (holder && (!named || named.toLowerCase() === holder.toLowerCase())) {
      return {
        type: "granted",
        paid: { type: "receipt", sender: holder },
        headers: paywallHeaders(ctx.identity, price, { type: "free" }),
      };
    }
  }

  // An x402 payment (PAYMENT-SIGNATURE) is settled on chain before anything is served.
  const offer = { chain: ctx.chain, identity: ctx.identity, price };
  // RDN-* headers win over any PAYMENT-SIGNATURE (docs/protocol.md): it is then not read.
  // An rdn-channel payment (already read above) is the channel decision's, below.
  const x402 =
    input.announceOnly || channelX402?.type === "payment" || req.headers.get(RDN.signature)?.trim()
      ? ({ type: "none" } as const)
      : await handlePaymentSignature(req.headers, offer, resource);
  if (x402.type === "malformed")
    return { type: "malformed", error: x402.error, header: X402_HEADERS.signature, status: 400 };
  if (x402.type === "paid") {
    const { payer, transaction, network } = x402;
    return {
      type: "granted",
      paid: { type: "x402", payer, transaction, network },
      headers: {
        ...paywallHeaders(ctx.identity, price, { type: "free" }),
        [X402_HEADERS.response]: x402.responseHeader,
      },
      setCookie: receiptCookie(req, ctx, receiptPath, payer),
    };
  }

  const outcome: PaymentOutcome =
    input.announceOnly || x402.type === "refused"
      ? { type: "payment-required", failure: { reason: "payment-required" } }
      : await processPayment(
          {
            price,
            resource,
            request: parsed.payment,
            retryWindowMs: env().PAYMENT_RETRY_SECONDS * 1000,
          },
          ctx.deps,
        );
  const headers = paywallHeaders(ctx.identity, price, outcome);
  if (outcome.type === "payment-required") {
    const relay = await relayOffer(ctx.chain);
    const named = parsed.payment;
    const channel =
      outcome.lastProof && named ? { ...outcome.lastProof, openBlock: named.openBlock } : undefined;
    const rdnChannel = rdnChannelAccepts({
      identity: ctx.identity,
      price,
      challengePeriod: ctx.chain.deployment.challengePeriod,
      relay,
      channel,
    });
    const x402Error = rdnChannelError(outcome.failure);
    return {
      type: "payment-required",
      headers,
      body: paymentRequiredBody(ctx.identity, price, outcome.failure, relay),
      info: {
        price: price.toString(),
        priceLabel: formatToken(price, await tokenUnit()),
        reason: FAILURE_TEXT[outcome.failure.reason],
        headers,
      },
      failure: outcome.failure,
      ...(channel ? { channel } : {}),
      rdnChannel,
      ...(x402Error ? { x402Error } : {}),
      x402: await paymentRequiredHeader({
        ...offer,
        url: req.url,
        // The channel first: a client that speaks both keeps channel economics.
        leading: [rdnChannel],
        error: x402.type === "refused" ? x402.error : x402Error,
      }),
    };
  }
  if (channelX402?.type === "payment" && outcome.type === "paid") {
    headers[PAYMENT_RESPONSE] = rdnChannelPaymentResponseHeader(ctx.identity, {
      ...outcome.proof,
      openBlock: channelX402.payment.openBlock,
      amount: outcome.amount,
      retry: outcome.retry,
    });
  }

  // A retry is served again but buys nothing more: no new receipt.
  const setCookie =
    outcome.type === "paid" && !outcome.retry
      ? receiptCookie(req, ctx, receiptPath, outcome.proof.sender)
      : undefined;
  const paid: Paid = outcome.type === "paid" ? outcome : { type: "free" };
  return { type: "granted", paid, headers, setCookie };
}

/**
 * The request's `rdn-channel` payment, if it carries one: a `PAYMENT-SIGNATURE` header is read
 * only when there is no `RDN-Balance-Signature` header (RDN-* headers win when both are present),
 * and it wins over the RDN cookies (headers win over cookies). A payment of another scheme is
 * not this decision's (undefined here).
 */
function x402Payment(req: Request): Exclude<RdnChannelParse, { type: "other-scheme" }> | undefined {
  const header = req.headers.get(PAYMENT_SIGNATURE);
  if (!header?.trim() || req.headers.get(RDN.signature)?.trim()) return undefined;
  const parsed = rdnChannelPaymentRequest(header);
  return parsed.type === "other-scheme" ? undefined : parsed;
}

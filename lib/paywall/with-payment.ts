import { env } from "@/lib/env";
import { errorResponse } from "@/lib/errors";
import { formatToken } from "@/lib/format";
import type { PaymentFailure } from "@/lib/protocol/headers";
import { RDN } from "@/lib/protocol/headers";
import { parsePaymentRequest } from "@/lib/protocol/payment-request";
import { paywallHeaders, processPayment, type PaymentOutcome } from "@/lib/protocol/paywall";
import { paywallContext } from "./context";
import { assertChainHealthy } from "./health";
import { htmlDocument, paywallBox, type PaywallInfo } from "./html";
import { createReceipt, RECEIPT_COOKIE, receiptKey, verifyReceipt } from "./receipt";
import { parseCookies } from "./cookies";

/** How the request was paid for, handed to the paid handler. */
export type Paid =
  | { type: "free" }
  | { type: "receipt"; sender: string }
  | Extract<PaymentOutcome, { type: "paid" }>;

export interface PaidContext<P, T> {
  params: P;
  item: T;
  payment: Paid;
}

export interface PaymentOptions<P, T> {
  /** Loads what is sold (article, file…); undefined answers 404. */
  load: (req: Request, params: P) => Promise<T | undefined> | T | undefined;
  /** Price in token base units for this request; 0 serves it free. */
  price: (item: T, req: Request, params: P) => bigint;
  /** Name of what is paid for; a retried proof is free only for the same resource. */
  resource?: (req: Request, params: P) => string;
  /** Issue a receipt cookie scoped to this path so the reader can re-open it without paying. */
  receiptPath?: (params: P) => string;
  /** HTML for browsers on a 402 (teaser and paywall box); a generic page otherwise. */
  paywallPage?: (item: T, info: PaywallInfo) => string;
}

type RouteContext<P> = { params: Promise<P> };

const FAILURE_TEXT: Record<PaymentFailure["reason"], string> = {
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

function wantsHtml(req: Request): boolean {
  return (req.headers.get("accept") ?? "").includes("text/html");
}

let cachedKey: { secret: string; key: Buffer } | undefined;
function receiptSigningKey(fallbackSecret: string): Buffer {
  const secret = env().SESSION_SECRET ?? fallbackSecret;
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: receiptKey(secret) };
  return cachedKey.key;
}

function withHeaders(res: Response, headers: Record<string, string>, setCookie?: string): Response {
  // The resource's own headers win over the paywall's (e.g. its Content-Type).
  for (const [name, value] of Object.entries(headers)) {
    if (!res.headers.has(name)) res.headers.set(name, value);
  }
  if (setCookie) res.headers.append("set-cookie", setCookie);
  return res;
}

/**
 * Wraps a route handler so it runs only once the request is paid (PROTOCOL.md §2): 402 with the
 * RDN-* headers until a valid balance proof arrives, 409 for malformed RDN-* values, 502 when the
 * chain cannot be used. The payment is committed before the handler produces the content.
 *
 * @example
 * export const GET = withPayment(async (req, { item }) => Response.json(item), {
 *   load: () => ({ hello: "world" }),
 *   price: () => 5n,
 * });
 */
export function withPayment<P, T>(
  handler: (req: Request, ctx: PaidContext<P, T>) => Promise<Response> | Response,
  options: PaymentOptions<P, T>,
): (req: Request, ctx: RouteContext<P>) => Promise<Response> {
  return async (req, routeCtx) => {
    try {
      const params = await routeCtx.params;
      const item = await options.load(req, params);
      if (item === undefined) return Response.json({ error: "not found" }, { status: 404 });
      const price = options.price(item, req, params);
      if (price === 0n) return await handler(req, { params, item, payment: { type: "free" } });

      const ctx = await paywallContext();
      await assertChainHealthy(ctx.chain);
      const cookieHeader = req.headers.get("cookie");
      const cookies = cookieHeader ? parseCookies(cookieHeader) : undefined;
      const parsed = parsePaymentRequest(
        (name) => req.headers.get(name),
        cookies ? (name) => cookies.get(name) : undefined,
      );
      if (!parsed.ok)
        return Response.json({ error: parsed.error, header: parsed.header }, { status: 409 });
      const resource =
        options.resource?.(req, params) ?? `${req.method} ${new URL(req.url).pathname}`;

      const receiptPath = options.receiptPath?.(params);
      const key = receiptPath ? receiptSigningKey(ctx.chain.derivedSecret) : undefined;
      if (receiptPath && key) {
        const receipt = cookies?.get(RECEIPT_COOKIE);
        const holder = receipt ? verifyReceipt(key, receipt, receiptPath) : undefined;
        // Bound to the sender: a request naming another sender (with or without a proof) pays.
        const named =
          parsed.payment?.sender ?? req.headers.get(RDN.sender) ?? cookies?.get(RDN.sender);
        if (holder && (!named || named.toLowerCase() === holder.toLowerCase())) {
          const headers = paywallHeaders(ctx.identity, price, { type: "free" });
          return withHeaders(
            await handler(req, { params, item, payment: { type: "receipt", sender: holder } }),
            headers,
          );
        }
      }

      const outcome = await processPayment({ price, resource, request: parsed.payment }, ctx.deps);
      const headers = paywallHeaders(ctx.identity, price, outcome);
      if (outcome.type === "payment-required") {
        const info: PaywallInfo = {
          price: price.toString(),
          priceLabel: formatToken(price),
          reason: FAILURE_TEXT[outcome.failure.reason],
          headers,
        };
        if (wantsHtml(req)) {
          const body =
            options.paywallPage?.(item, info) ?? htmlDocument("Payment required", paywallBox(info));
          return new Response(body, {
            status: 402,
            headers: {
              ...headers,
              "content-type": "text/html; charset=utf-8",
              "cache-control": "no-store",
            },
          });
        }
        return Response.json(
          {
            error: "payment required",
            reason: outcome.failure.reason,
            message: info.reason,
            price: info.price,
            receiver: ctx.identity.receiver,
            contract: ctx.identity.contract,
            token: ctx.identity.token,
            chain_id: ctx.identity.chainId,
            gateway: headers[RDN.gatewayPath],
          },
          { status: 402, headers: { ...headers, "cache-control": "no-store" } },
        );
      }

      let setCookie: string | undefined;
      if (receiptPath && key && outcome.type === "paid") {
        const ttl = env().RECEIPT_TTL_SECONDS;
        if (ttl > 0) {
          const expires = Math.floor(Date.now() / 1000) + ttl;
          const value = createReceipt(key, outcome.proof.sender, receiptPath, expires);
          const secure = req.url.startsWith("https:") ? "; Secure" : "";
          setCookie = `${RECEIPT_COOKIE}=${value}; Path=${receiptPath}; Max-Age=${ttl}; HttpOnly; SameSite=Lax${secure}`;
        }
      }
      return withHeaders(
        await handler(req, { params, item, payment: outcome }),
        { ...headers, "cache-control": "no-store" },
        setCookie,
      );
    } catch (err) {
      return errorResponse(err);
    }
  };
}

import { env } from "@/lib/env";
import { errorResponse } from "@/lib/errors";
import { formatToken } from "@/lib/format";
import { RDN } from "@/lib/protocol/headers";
import { parsePaymentRequest } from "@/lib/protocol/payment-request";
import { paywallHeaders, processPayment, type PaymentOutcome } from "@/lib/protocol/paywall";
import { FAILURE_TEXT, paymentRequiredBody } from "@/lib/protocol/terms";
import { paywallContext } from "./context";
import { assertChainHealthy } from "./health";
import { htmlDocument, paywallBox, type PaywallInfo } from "./html";
import { createReceipt, RECEIPT_COOKIE, receiptKey, verifyReceipt } from "./receipt";
import { parseCookies } from "./cookies";
import { isMalformedPath, malformedPathResponse } from "./malformed-path";
import { BASE_SECURITY_HEADERS, siteCsp } from "./security-headers";

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
  /**
   * Exact name of what is served (a retried proof is free only for the same name): two different
   * things served must never share a name. Default: the method, path and query as sent.
   */
  resource?: (item: T, req: Request, params: P) => string;
  /** Issue a receipt cookie scoped to this path so the reader can re-open it without paying. */
  receiptPath?: (params: P) => string;
  /** HTML for browsers on a 402 (teaser and paywall box); a generic page otherwise. */
  paywallPage?: (item: T, info: PaywallInfo) => string;
}

type RouteContext<P> = { params: Promise<P> };

function wantsHtml(req: Request): boolean {
  return (req.headers.get("accept") ?? "").includes("text/html");
}

let cachedKey: { secret: string; key: Buffer } | undefined;
function receiptSigningKey(fallbackSecret: string): Buffer {
  const secret = env().SESSION_SECRET ?? fallbackSecret;
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: receiptKey(secret) };
  return cachedKey.key;
}

interface Finish {
  /** HEAD: the same status and headers, no body. */
  head: boolean;
  /** The response depends on who pays (402 or paid content): never stored by a shared cache. */
  priced?: boolean;
  /** RDN-* headers, added unless the resource set a header of the same name. */
  headers?: Record<string, string>;
  setCookie?: string;
}

/**
 * The response as sent: the resource's own headers win over the paywall's (e.g. its Content-Type
 * or a stricter CSP), the security headers are always there, and a priced response is private and
 * varies with the Cookie header (receipts and RDN cookies decide it).
 */
function finish(res: Response, opts: Finish): Response {
  const headers = new Headers(res.headers);
  for (const [name, value] of Object.entries({
    ...opts.headers,
    ...BASE_SECURITY_HEADERS,
    "Content-Security-Policy": siteCsp(),
  })) {
    if (!headers.has(name)) headers.set(name, value);
  }
  if (opts.priced) {
    headers.set("Cache-Control", "private, no-store");
    const vary = headers.get("Vary");
    if (!vary?.split(",").some((v) => v.trim().toLowerCase() === "cookie"))
      headers.set("Vary", vary ? `${vary}, Cookie` : "Cookie");
  }
  if (opts.setCookie) headers.append("Set-Cookie", opts.setCookie);
  if (opts.head) res.body?.cancel().catch(() => undefined);
  return new Response(opts.head ? null : res.body, {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
}

/**
 * Wraps a route handler so it runs only once the request is paid (PROTOCOL.md §2): 402 with the
 * RDN-* headers until a valid balance proof arrives, 409 for malformed RDN-* values, 502 when the
 * chain cannot be used. The payment is committed before the handler produces the content.
 * HEAD is never charged: it gets the 402's headers (or, for a receipt holder, the content's).
 * Export the wrapped handler as both GET and HEAD (Next answers HEAD with GET otherwise).
 *
 * @example
 * export const GET = withPayment(async (req, { item }) => Response.json(item), {
 *   load: () => ({ hello: "world" }),
 *   price: () => 5n,
 * });
 * export const HEAD = GET;
 */
export function withPayment<P, T>(
  handler: (req: Request, ctx: PaidContext<P, T>) => Promise<Response> | Response,
  options: PaymentOptions<P, T>,
): (req: Request, ctx: RouteContext<P>) => Promise<Response> {
  return async (req, routeCtx) => {
    const head = req.method === "HEAD";
    try {
      // Next cannot decode such a path into params: answer before awaiting them.
      const { pathname, search } = new URL(req.url);
      if (isMalformedPath(pathname)) return finish(malformedPathResponse(pathname), { head });
      const params = await routeCtx.params;
      const item = await options.load(req, params);
      if (item === undefined)
        return finish(Response.json({ error: "not found" }, { status: 404 }), { head });
      const price = options.price(item, req, params);
      if (price === 0n)
        return finish(await handler(req, { params, item, payment: { type: "free" } }), { head });

      const ctx = await paywallContext();
      await assertChainHealthy(ctx.chain);
      const cookieHeader = req.headers.get("cookie");
      const cookies = cookieHeader ? parseCookies(cookieHeader) : undefined;
      const parsed = parsePaymentRequest(
        (name) => req.headers.get(name),
        cookies ? (name) => cookies.get(name) : undefined,
      );
      if (!parsed.ok)
        return finish(
          Response.json({ error: parsed.error, header: parsed.header }, { status: 409 }),
          { head, priced: true },
        );

      const receiptPath = options.receiptPath?.(params);
      const key = receiptPath ? receiptSigningKey(ctx.chain.derivedSecret) : undefined;
      if (receiptPath && key) {
        const receipt = cookies?.get(RECEIPT_COOKIE);
        const holder = receipt ? verifyReceipt(key, receipt, receiptPath) : undefined;
        // Bound to the sender: a request naming another sender (with or without a proof) pays.
        const named =
          parsed.payment?.sender ?? req.headers.get(RDN.sender) ?? cookies?.get(RDN.sender);
        if (holder && (!named || named.toLowerCase() === holder.toLowerCase())) {
          return finish(
            await handler(req, { params, item, payment: { type: "receipt", sender: holder } }),
            { head, priced: true, headers: paywallHeaders(ctx.identity, price, { type: "free" }) },
          );
        }
      }

      // HEAD only announces the price: its proof, if any, is neither checked nor charged.
      const outcome: PaymentOutcome = head
        ? { type: "payment-required", failure: { reason: "payment-required" } }
        : await processPayment(
            {
              price,
              resource:
                options.resource?.(item, req, params) ?? `${req.method} ${pathname}${search}`,
              request: parsed.payment,
              retryWindowMs: env().PAYMENT_RETRY_SECONDS * 1000,
            },
            ctx.deps,
          );
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
          return finish(
            new Response(body, {
              status: 402,
              headers: { ...headers, "content-type": "text/html; charset=utf-8" },
            }),
            { head, priced: true },
          );
        }
        return finish(
          Response.json(paymentRequiredBody(ctx.identity, price, outcome.failure), {
            status: 402,
            headers,
          }),
          { head, priced: true },
        );
      }

      // A retry is served again but buys nothing more: no new receipt.
      let setCookie: string | undefined;
      if (receiptPath && key && outcome.type === "paid" && !outcome.retry) {
        const ttl = env().RECEIPT_TTL_SECONDS;
        if (ttl > 0) {
          const expires = Math.floor(Date.now() / 1000) + ttl;
          const value = createReceipt(key, outcome.proof.sender, receiptPath, expires);
          const secure = req.url.startsWith("https:") ? "; Secure" : "";
          setCookie = `${RECEIPT_COOKIE}=${value}; Path=${receiptPath}; Max-Age=${ttl}; HttpOnly; SameSite=Lax${secure}`;
        }
      }
      return finish(await handler(req, { params, item, payment: outcome }), {
        head,
        priced: true,
        headers,
        setCookie,
      });
    } catch (err) {
      return finish(errorResponse(err), { head });
    }
  };
}

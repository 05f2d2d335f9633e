import { nameInstance } from "@/lib/cluster/instance";
import { errorResponse } from "@/lib/errors";
import { X402_HEADERS } from "@/lib/x402/envelope";
import { countReader, isNewPayment } from "./reader-counter";
import { decidePayment, type Paid } from "./decide";
import { readerInitiated } from "./article-gate";
import { htmlDocument, paywallBox } from "./html";
import { renderResourcePaywall, resourceKind } from "./resource-paywall";
import { GRANT_PARAM } from "./verdict";
import { isMalformedPath, malformedPathResponse } from "./malformed-path";
import { BASE_SECURITY_HEADERS, siteCsp } from "./security-headers";

export type { Paid } from "./decide";

export interface PaidContext<P, T> {
  params: P;
  item: T;
  payment: Paid;
}

export interface PaymentOptions<P, T> {
  /** Loads what is sold (article, file…); undefined answers 404. */
  load: (req: Request, params: P) => Promise<T | undefined> | T | undefined;
  /** Price in token base units for this request; 0 serves it free. */
  price: (item: T, req: Request, params: P) => bigint | Promise<bigint>;
  /**
   * Exact name of what is served (a retried proof is free only for the same name): two different
   * things served must never share a name. Default: the method, path and query as sent.
   */
  resource?: (item: T, req: Request, params: P) => string;
  /**
   * The path a grant (`?grant=`, lib/paywall/verdict.ts) must name to serve this request free: the
   * images of a paid article are linked with one.
   */
  grantPath?: (params: P) => string;
  /**
   * Count this route's readers (shown the paywall, paid) for the dashboard's conversion figures.
   * Only for a bounded set of resource names (stored files): a name made from the request path
   * would let anybody add rows.
   */
  countReaders?: boolean;
}

type RouteContext<P> = { params: Promise<P> };

function wantsHtml(req: Request): boolean {
  return (req.headers.get("accept") ?? "").includes("text/html");
}

interface Finish {
  /** HEAD: the same status and headers, no body. */
  head: boolean;
  /** The response depends on who pays (402 or paid content): never stored by a shared cache. */
  priced?: boolean;
  /** RDN-* headers, added unless the resource set a header of the same name. */
  headers?: Record<string, string>;
  /** `Set-Cookie` values (a receipt, a reader id). */
  setCookies?: readonly (string | undefined)[];
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
  for (const cookie of opts.setCookies ?? []) if (cookie) headers.append("Set-Cookie", cookie);
  nameInstance(headers);
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
 * HEAD is never charged: it gets the 402's headers (or, with a valid grant, the content's).
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
      const price = await options.price(item, req, params);
      if (price === 0n)
        return finish(await handler(req, { params, item, payment: { type: "free" } }), { head });

      const resource =
        options.resource?.(item, req, params) ?? `${req.method} ${pathname}${search}`;
      const decision = await decidePayment(req, {
        price,
        resource,
        // HEAD only announces the price: its proof, if any, is neither checked nor charged.
        announceOnly: head,
        grant: options.grantPath && {
          path: options.grantPath(params),
          value: new URL(req.url).searchParams.get(GRANT_PARAM),
        },
      });
      if (decision.type === "malformed")
        return finish(
          Response.json(
            { error: decision.error, header: decision.header },
            { status: decision.status },
          ),
          { head, priced: true },
        );
      // Readers shown the paywall or paying now, for the dashboard's conversion.
      const counted = !head && options.countReaders;
      if (decision.type === "payment-required") {
        const visitorCookie = counted ? await countReader(req, resource, "asked") : undefined;
        const setCookies = [visitorCookie];
        // The x402 envelope beside the RDN-* headers (docs/protocol.md "x402 envelope").
        const headers = { ...decision.headers, [X402_HEADERS.required]: decision.x402 };
        if (wantsHtml(req)) {
          const page = head
            ? undefined
            : await renderResourcePaywall({
                path: `${pathname}${search}`,
                kind: resourceKind(pathname),
                price: price.toString(),
                reason: decision.info.reason,
                failure: decision.failure.reason,
                rdn: decision.headers,
                autoPay: readerInitiated(req.headers),
              });
          if (page) {
            return finish(
              new Response(page.html, {
                status: 402,
                headers: {
                  ...headers,
                  "content-type": "text/html; charset=utf-8",
                  "Content-Security-Policy": page.csp,
                },
              }),
              { head, priced: true, setCookies },
            );
          }
          // The server could not render the page in time: the plain one.
          const body = htmlDocument("Payment required", paywallBox(decision.info));
          return finish(
            new Response(body, {
              status: 402,
              headers: { ...headers, "content-type": "text/html; charset=utf-8" },
            }),
            { head, priced: true, setCookies },
          );
        }
        return finish(Response.json(decision.body, { status: 402, headers }), {
          head,
          priced: true,
          setCookies,
        });
      }
      const visitorCookie =
        counted && isNewPayment(decision.paid)
          ? await countReader(req, resource, "paid")
          : undefined;
      return finish(await handler(req, { params, item, payment: decision.paid }), {
        head,
        priced: true,
        headers: decision.headers,
        setCookies: [decision.setCookie, visitorCookie],
      });
    } catch (err) {
      return finish(errorResponse(err), { head });
    }
  };
}

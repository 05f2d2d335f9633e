/**
 * The payment decision for article pages, made in proxy.ts before any page renders
 * (docs/protocol.md, "Article pages"):
 * - paid (a valid proof, committed now, or a receipt) → the article page renders, with the
 *   proxy's signed verdict in a request header and the RDN-* headers on the response;
 * - unpaid document request → the React paywall page with status 402 and the RDN-* headers;
 * - unpaid client-router (RSC) fetch → the same paywall page with status 200 (a 402 would make the
 *   router fall back to a full page load);
 * - anything else (programs) → the JSON 402 of PROTOCOL.md.
 */
import { NextResponse, type NextRequest } from "next/server";
import { articleGateRow } from "@/lib/content/article-price";
import { SLUG_RE } from "@/lib/content/slug";
import { errorResponse } from "@/lib/errors";
import { X402_HEADERS } from "@/lib/x402/envelope";
import { paywallContext } from "./context";
import { decidePayment, type Paid } from "./decide";
import { countReader, isNewPayment } from "./reader-counter";
import { ARTICLE_TTL_MS, cachedPage, isRenderRequest, pageKey, RENDER_HEADER } from "./page-cache";
import { BASE_SECURITY_HEADERS } from "./security-headers";
import { RESOURCE_PAYWALL_HEADER } from "./resource-paywall";
import { createVerdict, VERDICT_HEADER, type Verdict } from "./verdict";

/** The internal request header that tells the paywall page why payment is required. */
export const PAYWALL_REASON_HEADER = "x-paychan-paywall";

/**
 * The internal request header with the path and query of an admin page request: the console's
 * layout cannot see its path, and sends a visitor who is not signed in back to it after sign-in.
 */
export const REQUEST_PATH_HEADER = "x-paychan-path";

/** Request headers only the proxy may set: deleted from every incoming request. */
export const INTERNAL_HEADERS = [
  VERDICT_HEADER,
  PAYWALL_REASON_HEADER,
  REQUEST_PATH_HEADER,
  RENDER_HEADER,
  RESOURCE_PAYWALL_HEADER,
] as const;

/** The slug of an article path (`/articles/<slug>`, an optional trailing slash), or undefined. */
export function articleSlug(pathname: string): string | undefined {
  const m = /^\/articles\/([^/]+)\/?$/.exec(pathname);
  return m && SLUG_RE.test(m[1]!) ? m[1] : undefined;
}

/**
 * Whether the reader asked for this page themselves, so that a browser's auto-pay may pay it: a
 * navigation within the site (`Sec-Fetch-Site: same-origin`, as the client router's fetches are),
 * one the browser started for the reader (typed address, bookmark: `none`), or one the reader's
 * own click started anywhere (`Sec-Fetch-User: ?1`). A page of another site that opens or walks
 * this one (no user activation) gets the paywall with a "Pay" button instead; so does a browser
 * that sends no Fetch Metadata.
 */
export function readerInitiated(headers: Headers): boolean {
  const site = headers.get("sec-fetch-site");
  return site === "same-origin" || site === "none" || headers.get("sec-fetch-user") === "?1";
}

/** The resource name article payments are recorded under. */
export const articleResource = (slug: string) => `article:${slug}`;

function verdictOf(paid: Paid): Verdict {
  switch (paid.type) {
    case "free":
    case "grant":
      return { how: "free" };
    case "receipt":
      return { how: "receipt", sender: paid.sender as `0x${string}` };
    case "x402":
      return { how: "paid", sender: paid.payer };
    default:
      return { how: "paid", sender: paid.proof.sender };
  }
}

/** The site's security headers (the proxy's own answers do not get next.config's). */
function secured(res: NextResponse, csp: string): NextResponse {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) res.headers.set(name, value);
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

/** Headers every priced answer carries: private, varying with the cookies that decide it. */
function pricedHeaders(res: NextResponse, rdn: Record<string, string>, csp: string): NextResponse {
  for (const [name, value] of Object.entries(rdn)) res.headers.set(name, value);
  secured(res, csp);
  res.headers.set("Cache-Control", "private, no-store");
  res.headers.set("Vary", "Cookie, RSC, Next-Router-State-Tree, Next-Router-Prefetch");
  return res;
}

export interface PageHeaders {
  /** The incoming request headers without internal ones, with the page's CSP (and nonce). */
  headers: Headers;
  csp: string;
  nonce: string;
}

/**
 * Answers a request for `/articles/<slug>`. `page` carries the request headers a rendered page
 * gets (the CSP nonce); returns the proxy's response.
 */
export async function articleGate(
  req: NextRequest,
  slug: string,
  page: PageHeaders,
): Promise<NextResponse> {
  const rsc = req.headers.get("rsc") === "1";
  const prefetch = req.headers.has("next-router-prefetch");
  const head = req.method === "HEAD";
  const document = !rsc && (req.headers.get("accept") ?? "").includes("text/html");
  const json = (res: Response) =>
    new NextResponse(head ? null : res.body, { status: res.status, headers: res.headers });
  try {
    const row = await articleGateRow(slug);
    if (row === undefined) {
      // The page answers 404 in the site's chrome; programs get JSON.
      if (document || rsc) return NextResponse.next({ request: { headers: page.headers } });
      return secured(
        json(Response.json({ error: `no article ${slug}` }, { status: 404 })),
        page.csp,
      );
    }
    const { price } = row;
    const resource = articleResource(slug);
    if (isRenderRequest(req.headers)) {
      // The proxy's own render for its page cache (lib/paywall/page-cache.ts): nobody pays.
      const headers = new Headers(page.headers);
      headers.set(VERDICT_HEADER, createVerdict(await paywallContext(), resource, { how: "free" }));
      return secured(NextResponse.next({ request: { headers } }), page.csp);
    }
    const decision = await decidePayment(req, {
      price,
      resource,
      receiptPath: `/articles/${slug}`,
      // HEAD and the router's prefetches announce the price; only a real visit pays.
      announceOnly: head || prefetch,
    });
    if (decision.type === "malformed") {
      return pricedHeaders(
        json(
          Response.json(
            { error: decision.error, header: decision.header },
            { status: decision.status },
          ),
        ),
        {},
        page.csp,
      );
    }
    // Readers shown the paywall or paying now, for the dashboard's conversion.
    const counted = !head && !prefetch;
    if (decision.type === "payment-required") {
      const visitorCookie = counted ? await countReader(req, resource, "asked") : undefined;
      // The x402 envelope on every 402 (not on the router's 200 paywall).
      const with402 = { ...decision.headers, [X402_HEADERS.required]: decision.x402 };
      if (!document && !rsc) {
        const res = pricedHeaders(
          json(Response.json(decision.body, { status: 402 })),
          with402,
          page.csp,
        );
        if (visitorCookie) res.headers.append("Set-Cookie", visitorCookie);
        return res;
      }
      const headers = new Headers(page.headers);
      headers.set(
        PAYWALL_REASON_HEADER,
        JSON.stringify({
          reason: decision.info.reason,
          failure: decision.failure.reason,
          headers: decision.headers,
          autoPay: readerInitiated(req.headers),
        }),
      );
      // Relative to the URL as requested (req.nextUrl may name another host): Next keeps a
      // same-origin rewrite internal, and only an internal rewrite keeps its 402.
      const url = new URL(`/paywall/${slug}${req.nextUrl.search}`, req.url);
      const res = pricedHeaders(
        NextResponse.rewrite(url, { status: rsc ? 200 : 402, request: { headers } }),
        rsc ? decision.headers : with402,
        page.csp,
      );
      if (visitorCookie) res.headers.append("Set-Cookie", visitorCookie);
      return res;
    }
    const visitorCookie =
      counted && isNewPayment(decision.paid) ? await countReader(req, resource, "paid") : undefined;
    // Paid (or free): the page every reader of this version sees, rendered once.
    const key = pageKey(req, `/articles/${slug}`, row.version);
    const cached = key && (await cachedPage(req, key, ARTICLE_TTL_MS, page));
    let res: NextResponse;
    if (cached) {
      res = pricedHeaders(cached, decision.headers, page.csp);
    } else {
      const ctx = await paywallContext();
      const headers = new Headers(page.headers);
      headers.set(VERDICT_HEADER, createVerdict(ctx, resource, verdictOf(decision.paid)));
      res = pricedHeaders(NextResponse.next({ request: { headers } }), decision.headers, page.csp);
    }
    if (decision.setCookie) res.headers.append("Set-Cookie", decision.setCookie);
    if (visitorCookie) res.headers.append("Set-Cookie", visitorCookie);
    return res;
  } catch (err) {
    return pricedHeaders(json(errorResponse(err)), {}, page.csp);
  }
}

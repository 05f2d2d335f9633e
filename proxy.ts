import { NextResponse, type NextRequest } from "next/server";
import { refuseLargeActionBody } from "@/lib/auth/action-body";
import { nameInstance } from "@/lib/cluster/instance";
import {
  matchUpstreamRoute,
  underPrefix,
  UPSTREAM_ROUTE_BASE,
} from "@/lib/content/upstream-routes";
import { env } from "@/lib/env";
import {
  articleGate,
  articleSlug,
  INTERNAL_HEADERS,
  REQUEST_PATH_HEADER,
} from "@/lib/paywall/article-gate";
import { canonicalPaidRedirect } from "@/lib/paywall/canonical-path";
import { isMalformedPath, malformedPathResponse } from "@/lib/paywall/malformed-path";
import { cachedPage, isRenderRequest, LIST_TTL_MS, pageKey } from "@/lib/paywall/page-cache";
import { rewriteUrl } from "@/lib/paywall/rewrite-url";
import { STATIC_PAGES, staticPageScriptHashes } from "@/lib/paywall/static-csp";
import { siteCsp } from "@/lib/paywall/security-headers";
import { RESOURCE_PAYWALL_HEADER, RESOURCE_PAYWALL_PATH } from "@/lib/paywall/resource-paywall";

/** The origin readers' browsers read the chain from, allowed in the pages' connect-src. */
function rpcOrigin(): string {
  return new URL(env().PUBLIC_RPC_URL ?? env().RPC_URL).origin;
}

/**
 * Runs for React pages (articles included) and for paid paths that contain a percent sign:
 * - a path whose percent-encoding is not UTF-8 gets 400 here (Next itself answers such a path on
 *   a dynamic route with an unlogged 500 in production);
 * - a large POST to a page (a server action) is refused (413) unless the operator sends it
 *   (lib/auth/action-body.ts);
 * - another spelling of an article or paid path (`/articles/worl%64`) is redirected (308) to its
 *   canonical one (lib/paywall/canonical-path.ts), which alone is decided on;
 * - paywalled-upstream prefixes (UPSTREAM_PREFIX onto /upstream, those configured on the admin
 *   pages onto /upstream-route/<id>) are mapped onto their paid route;
 * - article pages are paid for here (lib/paywall/article-gate.ts): the article page renders only
 *   with this proxy's signed verdict, an unpaid visit gets the paywall page with status 402;
 * - pages get a per-request CSP nonce, which Next puts on its own scripts.
 * Media, paid API routes and the upstream decide payment inside their route (withPayment), so
 * they do not pay for a proxy hop.
 */
export async function proxy(req: NextRequest): Promise<NextResponse> {
  const res = await route(req);
  nameInstance(res.headers);
  return res;
}

async function route(req: NextRequest): Promise<NextResponse> {
  const { pathname } = req.nextUrl;
  if (isMalformedPath(pathname)) {
    const res = malformedPathResponse(pathname);
    return new NextResponse(res.body, { status: res.status, headers: res.headers });
  }
  const refused = await refuseLargeActionBody(req, pathname);
  if (refused) {
    return new NextResponse(refused.body, { status: refused.status, headers: refused.headers });
  }
  const redirect = await canonicalPaidRedirect(
    pathname,
    req.url,
    async (path) => (await upstreamPath(path)) !== undefined,
  );
  if (redirect) {
    return new NextResponse(null, { status: redirect.status, headers: redirect.headers });
  }
  const upstream = await upstreamPath(pathname);
  if (upstream !== undefined) {
    if (upstream === pathname) return NextResponse.next();
    // The route sets the headers (a sandboxing CSP for upstream content).
    return NextResponse.rewrite(rewriteUrl(req, upstream), {
      request: { headers: withoutInternal(req.headers) },
    });
  }
  if (/^\/(api|media|upstream)\//.test(pathname)) return NextResponse.next();
  // The paywall page is only ever shown by the article gate's rewrite.
  if (pathname === "/paywall" || pathname.startsWith("/paywall/")) {
    return NextResponse.json({ error: "not found" }, { status: 404 });
  }
  // A paid route's own render of its paywall only (lib/paywall/resource-paywall.ts).
  const resourcePaywall = pathname === RESOURCE_PAYWALL_PATH;
  if (resourcePaywall && !isRenderRequest(req.headers)) {
    return NextResponse.json({ error: "not found" }, { status: 404 });
  }

  // `next dev` renders a static page per request, with the nonce.
  const hashes =
    STATIC_PAGES.has(pathname) && env().NODE_ENV === "production"
      ? staticPageScriptHashes(pathname)
      : undefined;
  if (hashes) {
    const res = NextResponse.next({ request: { headers: withoutInternal(req.headers) } });
    res.headers.set("Content-Security-Policy", siteCsp({ hashes, connect: [rpcOrigin()] }));
    return res;
  }

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = siteCsp({
    nonce,
    dev: env().NODE_ENV === "development",
    connect: [rpcOrigin()],
  });
  // Next reads the nonce from the request's CSP header while rendering.
  const headers = withoutInternal(req.headers);
  headers.set("Content-Security-Policy", csp);
  if (resourcePaywall) {
    headers.set(RESOURCE_PAYWALL_HEADER, req.headers.get(RESOURCE_PAYWALL_HEADER) ?? "");
  }
  if (pathname === "/admin" || pathname.startsWith("/admin/")) {
    headers.set(REQUEST_PATH_HEADER, `${pathname}${new URL(req.url).search}`);
  }

  const slug = articleSlug(pathname);
  if (slug !== undefined) return articleGate(req, slug, { headers, csp, nonce });

  const key = !isRenderRequest(req.headers) && listPageKey(req);
  const cached = key && (await cachedPage(req, key, LIST_TTL_MS, { csp, nonce }));
  if (cached) return cached;
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

/**
 * The paid route serving `pathname` when it falls under a paywalled upstream: the longest of the
 * prefixes configured on the admin pages and UPSTREAM_PREFIX wins. The internal route of the
 * configured ones is served as it is (its own sandboxing headers, no page CSP). Undefined for
 * anything else.
 */
async function upstreamPath(pathname: string): Promise<string | undefined> {
  if (underPrefix(pathname, UPSTREAM_ROUTE_BASE)) return pathname;
  const prefix = env().UPSTREAM_PREFIX.replace(/\/+$/, "");
  const envMatch = prefix !== "/upstream" && underPrefix(pathname, prefix);
  const route = await matchUpstreamRoute(pathname);
  if (route && !(envMatch && prefix.length > route.prefix.length)) {
    return `${UPSTREAM_ROUTE_BASE}/${route.id}${pathname.slice(route.prefix.length)}`;
  }
  return envMatch ? `/upstream${pathname.slice(prefix.length)}` : undefined;
}

/**
 * The page-cache key of the front page or a category page (the same for every reader), or
 * undefined for any other page or query (a search).
 */
function listPageKey(req: NextRequest): string | undefined {
  if (req.nextUrl.pathname !== "/") return undefined;
  const params = [...req.nextUrl.searchParams.keys()].filter((k) => k !== "_rsc");
  if (params.length > 1 || (params.length === 1 && params[0] !== "category")) return undefined;
  return pageKey(req, "/", "");
}

/** The request headers with every header only the proxy may set removed. */
function withoutInternal(incoming: Headers): Headers {
  const headers = new Headers(incoming);
  for (const name of INTERNAL_HEADERS) headers.delete(name);
  return headers;
}

export const config = {
  matcher: [
    "/((?!_next/|api/|media/|upstream/|favicon\\.ico|site\\.css).*)",
    // Paid and API routes only when the path has a percent sign (a possibly malformed encoding).
    "/(api|media|upstream)/(.*%.*)",
  ],
};

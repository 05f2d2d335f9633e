import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { isMalformedPath, malformedPathResponse } from "@/lib/paywall/malformed-path";
import { siteCsp } from "@/lib/paywall/security-headers";

/**
 * Runs for React pages and for paths that contain a percent sign:
 * - a path whose percent-encoding is not UTF-8 gets 400 here (Next itself answers such a path on
 *   a dynamic route with an unlogged 500 in production);
 * - the configured paywalled-upstream prefix is mapped onto the /upstream route;
 * - pages get a per-request CSP nonce, which Next puts on its own scripts.
 * Payment is decided inside each paid route by withPayment; paid routes are otherwise outside the
 * matcher so they do not pay for a proxy hop.
 */
export function proxy(req: NextRequest): NextResponse {
  const { pathname } = req.nextUrl;
  if (isMalformedPath(pathname)) {
    const res = malformedPathResponse(pathname);
    return new NextResponse(res.body, { status: res.status, headers: res.headers });
  }
  const prefix = env().UPSTREAM_PREFIX.replace(/\/+$/, "");
  if (prefix !== "/upstream" && (pathname === prefix || pathname.startsWith(`${prefix}/`))) {
    const url = req.nextUrl.clone();
    url.pathname = `/upstream${pathname.slice(prefix.length)}`;
    // The route sets the headers (a sandboxing CSP for upstream content).
    return NextResponse.rewrite(url);
  }
  if (/^\/(api|articles|media|upstream)\//.test(pathname)) return NextResponse.next();

  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = siteCsp({ nonce, dev: env().NODE_ENV === "development" });
  // Next reads the nonce from the request's CSP header while rendering.
  const headers = new Headers(req.headers);
  headers.set("Content-Security-Policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("Content-Security-Policy", csp);
  return res;
}

export const config = {
  matcher: [
    "/((?!_next/|api/|articles/|media/|upstream/|favicon\\.ico|site\\.css).*)",
    // Paid and API routes only when the path has a percent sign (a possibly malformed encoding).
    "/(api|articles|media|upstream)/(.*%.*)",
  ],
};

import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";

/**
 * Routing only: maps the configured paywalled-upstream prefix onto the /upstream route. Payment
 * is decided inside each paid route by withPayment; paid routes are outside the matcher so they
 * do not pay for a proxy hop.
 */
export function proxy(req: NextRequest): NextResponse {
  const prefix = env().UPSTREAM_PREFIX.replace(/\/+$/, "");
  const { pathname } = req.nextUrl;
  if (prefix !== "/upstream" && (pathname === prefix || pathname.startsWith(`${prefix}/`))) {
    const url = req.nextUrl.clone();
    url.pathname = `/upstream${pathname.slice(prefix.length)}`;
    return NextResponse.rewrite(url);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/((?!_next/|api/|articles/|media/|upstream/|favicon\\.ico|site\\.css).*)"],
};

import type { NextRequest } from "next/server";

/**
 * The URL of an internal rewrite to `pathname` (query kept), relative to the URL as requested.
 * `req.nextUrl` names the host Next normalised (`localhost`), not the one asked: a rewrite to it
 * is another origin, which Next turns into an HTTP hop to that host (a wrong one, or nothing,
 * where `localhost` is not the address the server listens on). A same-origin rewrite stays
 * internal.
 *
 * @example NextResponse.rewrite(rewriteUrl(req, "/upstream/a")) // http://<host as requested>/upstream/a
 */
export function rewriteUrl(req: NextRequest, pathname: string): URL {
  const url = new URL(req.url);
  // Set, not resolved: a path such as `//x` stays a path on this host.
  url.pathname = pathname;
  url.search = req.nextUrl.search;
  return url;
}

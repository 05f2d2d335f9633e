/**
 * One spelling per paid path. A client may percent-encode ordinary characters (`/articles/worl%64`
 * is `/articles/world`, RFC 3986 §6.2.2.2); Next decodes them for the route's params, but the
 * proxy matches the path as sent. proxy.ts therefore redirects such a spelling of an article or
 * paid path to its canonical form before deciding anything, so each resource is paid for, and
 * rendered, under one path.
 */
import { articleSlug } from "./article-gate";
import { BASE_SECURITY_HEADERS } from "./security-headers";

/** A percent-encoded unreserved character (RFC 3986 §2.3): ALPHA, DIGIT, `-`, `.`, `_`, `~`. */
const ENCODED_UNRESERVED_RE = /%(2[dDeE]|3\d|[46][1-9a-fA-F]|[57][0-9aA]|5[fF]|7[eE])/g;

/**
 * `pathname` with its percent-encoded unreserved characters decoded (`/articles/worl%64` →
 * `/articles/world`); every other encoding (`%20`, `%2F`, `%25` …) is kept as sent. A path whose
 * decoding would create a `.` or `..` segment is returned unchanged.
 *
 * @example canonicalPath("/media/kitte%6E.jpg") // "/media/kitten.jpg"
 */
export function canonicalPath(pathname: string): string {
  if (!pathname.includes("%")) return pathname;
  const decoded = pathname.replace(ENCODED_UNRESERVED_RE, (m) =>
    String.fromCharCode(parseInt(m.slice(1), 16)),
  );
  if (decoded.split("/").some((s) => s === "." || s === "..")) return pathname;
  return decoded;
}

/**
 * The permanent redirect of the request for `requestUrl` to the same URL with the path
 * `canonical`, query kept. Absolute, on the host as requested (Next answers it relative to that
 * host, and refuses a relative Location from the proxy).
 */
export function canonicalRedirect(requestUrl: string, canonical: string): Response {
  const location = new URL(requestUrl);
  location.pathname = canonical;
  return new Response(null, {
    status: 308,
    headers: { ...BASE_SECURITY_HEADERS, Location: location.href, "Cache-Control": "no-store" },
  });
}

/** Paths of the paid route handlers: media, the echo API and the paywalled upstreams. */
const PAID_ROUTE_RE = /^\/(media|api\/echo|upstream|upstream-route)\//;

/**
 * The redirect to the canonical spelling of `pathname` (the path of `requestUrl`, as sent) when it
 * is another spelling of an article or paid path (`isUpstream` tells the paywalled-upstream
 * prefixes); undefined otherwise.
 *
 * @example
 * await canonicalPaidRedirect("/articles/worl%64", "http://h/articles/worl%64?a=1", noUpstream)
 * // 308 → http://h/articles/world?a=1
 */
export async function canonicalPaidRedirect(
  pathname: string,
  requestUrl: string,
  isUpstream: (canonical: string) => Promise<boolean>,
): Promise<Response | undefined> {
  const canonical = canonicalPath(pathname);
  if (canonical === pathname) return undefined;
  const paid =
    articleSlug(canonical) !== undefined ||
    PAID_ROUTE_RE.test(canonical) ||
    (await isUpstream(canonical));
  return paid ? canonicalRedirect(requestUrl, canonical) : undefined;
}

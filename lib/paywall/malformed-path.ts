import { BASE_SECURITY_HEADERS } from "./security-headers";

/**
 * Whether a request path (as sent, still percent-encoded) has a segment that does not decode as
 * UTF-8 (e.g. `/articles/%e2%82`). Next cannot build the route's params from such a path.
 */
export function isMalformedPath(pathname: string): boolean {
  for (const segment of pathname.split("/")) {
    if (!segment.includes("%")) continue;
    try {
      decodeURIComponent(segment);
    } catch {
      return true;
    }
  }
  return false;
}

/** The 400 answered for a malformed path: JSON `{ error }` naming the path. */
export function malformedPathResponse(pathname: string): Response {
  return Response.json(
    { error: `the path ${pathname} has invalid percent-encoding`, path: pathname },
    {
      status: 400,
      headers: {
        ...BASE_SECURITY_HEADERS,
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "Cache-Control": "no-store",
      },
    },
  );
}

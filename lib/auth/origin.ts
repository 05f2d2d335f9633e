/**
 * Cross-site request guard of the state-changing `/api/1` routes. Browsers send `Origin` on every
 * POST and DELETE; a request from another site's page carries that site's origin and is refused,
 * so a page elsewhere cannot use a reader's or the operator's `rdn_session` cookie to act. Requests
 * without `Origin` (scripts with a bearer token, curl) are not browser requests and pass.
 */
import { env } from "@/lib/env";
import { BadRequestError } from "@/lib/errors";

/** A `host[:port]` or URL as a normalized origin (`scheme://host[:port]`), or null if unparsable. */
function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === "null" ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The origins allowed to call state-changing routes: SITE_URL's origin, and `http://` and
 * `https://` on each SIWE_ALLOWED_DOMAINS entry.
 */
export function allowedOrigins(): string[] {
  const { SITE_URL, SIWE_ALLOWED_DOMAINS } = env();
  const origins = new Set<string>([new URL(SITE_URL).origin]);
  for (const domain of SIWE_ALLOWED_DOMAINS) {
    for (const scheme of ["http", "https"]) {
      const origin = originOf(`${scheme}://${domain}`);
      if (origin) origins.add(origin);
    }
  }
  return [...origins];
}

/**
 * Refuses a request whose `Origin` header is present and not one of {@link allowedOrigins}
 * (including the opaque `Origin: null`). Call it first in every POST/DELETE handler.
 *
 * @throws {@link BadRequestError} 403 naming the refused origin
 * @example
 * export async function POST(req: Request) {
 *   try {
 *     assertSameOrigin(req);
 *     ...
 */
export function assertSameOrigin(req: Request): void {
  const header = req.headers.get("origin");
  if (header === null) return;
  const origin = originOf(header.trim());
  if (origin && allowedOrigins().includes(origin)) return;
  throw new BadRequestError(
    `forbidden: Origin ${header.slice(0, 200)} is not this site's origin (${new URL(env().SITE_URL).origin})`,
    403,
  );
}

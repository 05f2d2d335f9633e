/**
 * Server actions read their whole body before the action runs (and so before `operatorAction`
 * checks the caller): Next parses up to next.config's `serverActions.bodySizeLimit` (6 MB, for
 * the operator's image uploads) for anybody. proxy.ts runs before that, so it refuses a body that
 * may be large unless the caller is the operator: every server action of the site is the
 * operator's.
 */
import { PayloadTooLargeError, translateError } from "@/lib/errors";
import { BASE_SECURITY_HEADERS } from "@/lib/paywall/security-headers";
import { getCaller } from "./caller";

/** Largest server-action body a caller who is not the operator may send (64 KiB). */
export const PUBLIC_ACTION_BODY_BYTES = 64 * 1024;

/** Paths of route handlers, which read (and limit) their bodies themselves. */
const ROUTE_HANDLER_RE = /^\/(api|media|upstream)\//;

/**
 * A 413 JSON answer for a POST to a page (a server action, by `Next-Action` header or a form
 * post) whose body is declared larger than {@link PUBLIC_ACTION_BODY_BYTES}, or not declared at
 * all (chunked), when the caller is not the operator; undefined for anything else.
 *
 * @example
 * const refused = await refuseLargeActionBody(req, pathname);
 * if (refused) return refused;
 */
export async function refuseLargeActionBody(
  req: Request,
  pathname: string,
): Promise<Response | undefined> {
  if (req.method !== "POST" || ROUTE_HANDLER_RE.test(pathname)) return undefined;
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) <= PUBLIC_ACTION_BODY_BYTES) {
    return undefined;
  }
  try {
    if ((await getCaller(req)).kind === "operator") return undefined;
  } catch {
    // No operator can be recognised (e.g. no session secret): refuse.
  }
  const t = translateError(new PayloadTooLargeError(PUBLIC_ACTION_BODY_BYTES));
  return Response.json(
    { ...t.details, error: t.error, code: t.code },
    {
      status: t.status,
      headers: {
        ...BASE_SECURITY_HEADERS,
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "Cache-Control": "no-store",
      },
    },
  );
}

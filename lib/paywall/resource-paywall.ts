/**
 * The React paywall of paid routes (images, API routes, upstream pages) for a browser: the route
 * (withPayment) has this server render `/resource-paywall` with what the page shows in an internal
 * header and its render token (lib/paywall/page-cache.ts), and answers the 402 with that page and
 * its CSP. proxy.ts answers 404 to any other request for the page.
 */
import { z } from "zod";
import { renderSelf } from "./page-cache";

/** The internal request header carrying the page's content (JSON). */
export const RESOURCE_PAYWALL_HEADER = "x-paychan-resource-paywall";

/** The page's path. */
export const RESOURCE_PAYWALL_PATH = "/resource-paywall";

export const resourcePaywallSchema = z.object({
  /** The paid path (with its query), as the island pays it again. */
  path: z.string().startsWith("/"),
  kind: z.enum(["media", "api", "upstream"]),
  /** Base units, decimal. */
  price: z.string().regex(/^[0-9]+$/),
  reason: z.string(),
  failure: z.string().optional(),
  rdn: z.record(z.string(), z.string()),
  autoPay: z.boolean(),
});

export type ResourcePaywall = z.infer<typeof resourcePaywallSchema>;

/** What kind of paid thing `pathname` is. */
export function resourceKind(pathname: string): ResourcePaywall["kind"] {
  if (pathname.startsWith("/media/")) return "media";
  if (pathname.startsWith("/api/")) return "api";
  return "upstream";
}

/**
 * The rendered paywall page (HTML) and the CSP its scripts' nonce belongs to; undefined when the
 * server could not render it (the caller answers with its plain HTML page).
 */
export async function renderResourcePaywall(
  page: ResourcePaywall,
): Promise<{ html: string; csp: string } | undefined> {
  const headers = new Headers({
    accept: "text/html",
    [RESOURCE_PAYWALL_HEADER]: JSON.stringify(page),
  });
  const rendered = await renderSelf(RESOURCE_PAYWALL_PATH, headers);
  const csp = rendered?.res.headers.get("content-security-policy");
  if (!rendered || rendered.res.status !== 200 || !csp) return undefined;
  return { html: rendered.body, csp };
}

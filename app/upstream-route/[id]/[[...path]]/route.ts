import { upstreamRouteById, upstreamTarget } from "@/lib/content/upstream-routes";
import { env } from "@/lib/env";
import { fetchUpstream } from "@/lib/paywall/upstream";
import { withPayment } from "@/lib/paywall/with-payment";

export const dynamic = "force-dynamic";

interface Target {
  url: URL;
  price: bigint;
}

/**
 * The configured upstream and URL of a request, or undefined. Only a configured route's own base
 * URL is ever fetched: a direct request here reaches exactly what its prefix would.
 */
async function load(
  req: Request,
  { id, path }: { id: string; path?: string[] },
): Promise<Target | undefined> {
  if (!/^[1-9][0-9]{0,9}$/.test(id)) return undefined;
  const route = await upstreamRouteById(Number(id));
  if (!route) return undefined;
  const url = upstreamTarget(route.url, path ?? [], new URL(req.url).search);
  return url && { url, price: route.price };
}

// GET /upstream-route/:id/:path — content of a paywalled upstream configured on the admin pages;
// proxy.ts maps each configured prefix onto this route.
export const GET = withPayment<{ id: string; path?: string[] }, Target>(
  (req, { item }) => {
    const { UPSTREAM_TIMEOUT_MS, UPSTREAM_MAX_BYTES, UPSTREAM_ALLOW_PRIVATE } = env();
    return fetchUpstream(item.url, {
      accept: req.headers.get("accept") ?? "*/*",
      timeoutMs: UPSTREAM_TIMEOUT_MS,
      maxBytes: UPSTREAM_MAX_BYTES,
      allowPrivate: UPSTREAM_ALLOW_PRIVATE,
    });
  },
  {
    load,
    price: (t) => t.price,
    // Named after the URL fetched, like the UPSTREAM_URL route.
    resource: (t) => `upstream:${t.url.href}`,
  },
);

// HEAD /upstream-route/:id/:path — the 402's headers, never charged (and nothing is fetched)
export const HEAD = GET;

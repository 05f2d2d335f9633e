import { upstreamTarget } from "@/lib/content/upstream-routes";
import { env } from "@/lib/env";
import { fetchUpstream } from "@/lib/paywall/upstream";
import { upstreamPrice } from "@/lib/paywall/upstream-price";
import { withPayment } from "@/lib/paywall/with-payment";

export const dynamic = "force-dynamic";

// GET /upstream/:path — content fetched from UPSTREAM_URL, paid (µRaiden's PaywalledProxyUrl).
// proxy.ts maps the configured UPSTREAM_PREFIX onto this route.
export const GET = withPayment<{ path: string[] }, URL>(
  (req, { item }) => {
    const { UPSTREAM_TIMEOUT_MS, UPSTREAM_MAX_BYTES } = env();
    return fetchUpstream(item, {
      accept: req.headers.get("accept") ?? "*/*",
      timeoutMs: UPSTREAM_TIMEOUT_MS,
      maxBytes: UPSTREAM_MAX_BYTES,
      // The operator set UPSTREAM_URL in the server's environment: trusted like RPC_URL.
      allowPrivate: true,
    });
  },
  {
    load: (req, { path }) => {
      const base = env().UPSTREAM_URL;
      if (!base || path.length === 0) return undefined;
      return upstreamTarget(base, path, new URL(req.url).search);
    },
    price: () => upstreamPrice(),
    // Named after the URL fetched: `/a/b` and `/a%2Fb` are different upstream resources.
    resource: (url) => `upstream:${url.href}`,
  },
);

// HEAD /upstream/:path — the 402's headers, never charged (and nothing is fetched)
export const HEAD = GET;

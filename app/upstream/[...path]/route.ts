import { env } from "@/lib/env";
import { BadGatewayError } from "@/lib/errors";
import { withPayment } from "@/lib/paywall/with-payment";

export const dynamic = "force-dynamic";

/** Response headers passed through from the upstream. */
const PASS_HEADERS = ["content-type", "content-language", "last-modified", "etag"];

// GET /upstream/:path — content fetched from UPSTREAM_URL, paid (µRaiden's PaywalledProxyUrl).
// proxy.ts maps the configured UPSTREAM_PREFIX onto this route.
export const GET = withPayment<{ path: string[] }, URL>(
  async (req, { item }) => {
    let upstream: Response;
    try {
      upstream = await fetch(item, {
        headers: { accept: req.headers.get("accept") ?? "*/*" },
        redirect: "manual",
      });
    } catch (cause) {
      throw new BadGatewayError(`the upstream ${item.origin} is unreachable`, cause);
    }
    const headers = new Headers();
    for (const name of PASS_HEADERS) {
      const v = upstream.headers.get(name);
      if (v) headers.set(name, v);
    }
    return new Response(upstream.body, { status: upstream.status, headers });
  },
  {
    load: (req, { path }) => {
      const base = env().UPSTREAM_URL;
      if (!base || path.some((s) => s === ".." || s === ".")) return undefined;
      const url = new URL(
        path.map(encodeURIComponent).join("/"),
        base.endsWith("/") ? base : `${base}/`,
      );
      url.search = new URL(req.url).search;
      return url;
    },
    price: () => env().UPSTREAM_PRICE,
    resource: (req, { path }) => `upstream:/${path.join("/")}${new URL(req.url).search}`,
  },
);

import { withPayment } from "@/lib/paywall/with-payment";

export const dynamic = "force-dynamic";

/** Price of the fixed-price echo, in token base units (µRaiden's echo example). */
const PRICE = 5n;

// GET /api/echo/fix/:param — echoes the parameter for a fixed price
export const GET = withPayment<{ param: string }, string>(
  (_req, { item }) => Response.json({ echo: item }),
  {
    load: (_req, { param }) => param,
    price: () => PRICE,
    // Named after what is echoed (the decoded parameter), whatever its spelling in the URL.
    resource: (echo) => `echo:fix:${echo}`,
  },
);

// HEAD /api/echo/fix/:param — the headers of GET, never charged
export const HEAD = GET;

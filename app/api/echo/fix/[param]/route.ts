import { ECHO_FIX_PRICE } from "@/lib/content/echo";
import { withPayment } from "@/lib/paywall/with-payment";

export const dynamic = "force-dynamic";

// GET /api/echo/fix/:param — echoes the parameter for a fixed price
export const GET = withPayment<{ param: string }, string>(
  (_req, { item }) => Response.json({ echo: item }),
  {
    load: (_req, { param }) => param,
    price: () => ECHO_FIX_PRICE,
    // Named after what is echoed (the decoded parameter), whatever its spelling in the URL.
    resource: (echo) => `echo:fix:${echo}`,
  },
);

// HEAD /api/echo/fix/:param — the headers of GET, never charged
export const HEAD = GET;

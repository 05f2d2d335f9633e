import { BadRequestError } from "@/lib/errors";
import { withPayment } from "@/lib/paywall/with-payment";

export const dynamic = "force-dynamic";

const AMOUNT_RE = /^[0-9]{1,58}$/;

// GET /api/echo/dyn/:param — echoes a number for a price of that many base units (0 is free)
export const GET = withPayment<{ param: string }, bigint>(
  (_req, { item }) => Response.json({ echo: item.toString() }),
  {
    load: (_req, { param }) => {
      if (!AMOUNT_RE.test(param) || BigInt(param) >= 2n ** 192n) {
        throw new BadRequestError(
          "param must be a decimal integer below 2^192 (the price in base units)",
        );
      }
      return BigInt(param);
    },
    price: (amount) => amount,
    resource: (amount) => `echo:dyn:${amount}`,
  },
);

// HEAD /api/echo/dyn/:param — the headers of GET, never charged
export const HEAD = GET;

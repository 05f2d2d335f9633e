import { BadRequestError } from "@/lib/errors";
import { withPayment } from "@/lib/paywall/with-payment";
import { uint192Schema } from "@/lib/protocol/wire";

export const dynamic = "force-dynamic";

// GET /api/echo/dyn/:param — echoes a number for a price of that many base units (0 is free)
export const GET = withPayment<{ param: string }, bigint>(
  (_req, { item }) => Response.json({ echo: item.toString() }),
  {
    load: (_req, { param }) => {
      const amount = uint192Schema.safeParse(param);
      if (!amount.success) {
        throw new BadRequestError(
          "param must be a decimal integer below 2^192 (the price in base units)",
        );
      }
      return amount.data;
    },
    price: (amount) => amount,
    resource: (amount) => `echo:dyn:${amount}`,
  },
);

// HEAD /api/echo/dyn/:param — the headers of GET, never charged
export const HEAD = GET;

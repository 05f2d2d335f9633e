import { withPayment } from "@/lib/paywall/with-payment";

export const dynamic = "force-dynamic";

const AMOUNT_RE = /^[0-9]{1,58}$/;

// GET /api/echo/dyn/:param — echoes a number for a price of that many base units (0 is free)
export async function GET(
  req: Request,
  ctx: { params: Promise<{ param: string }> },
): Promise<Response> {
  const { param } = await ctx.params;
  if (!AMOUNT_RE.test(param) || BigInt(param) >= 2n ** 192n) {
    return Response.json(
      { error: "param must be a decimal integer below 2^192 (the price in base units)" },
      { status: 400 },
    );
  }
  return paidEcho(req, { params: Promise.resolve({ param }) });
}

const paidEcho = withPayment<{ param: string }, bigint>(
  (_req, { item }) => Response.json({ echo: item.toString() }),
  {
    load: (_req, { param }) => BigInt(param),
    price: (amount) => amount,
  },
);

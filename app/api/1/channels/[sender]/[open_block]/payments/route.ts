import { channelParamsSchema } from "@/lib/api/params";
import { listPayments, paymentsQuerySchema, toPaymentJson } from "@/lib/api/payments";
import { apiRoute } from "@/lib/api/route";

/**
 * A channel's accepted payments, newest first (operator or that sender):
 * `[{ resource, amount, balance, created_at }]`, `?limit=` (1–1000, default 100) and
 * `?before=<balance>` (the last balance of the previous page). When more payments follow, a
 * `Link: <…?limit=…&before=…>; rel="next"` header names the next page.
 */
// GET /api/1/channels/:sender/:open_block/payments
export const GET = apiRoute(
  { auth: "sender", params: channelParamsSchema, query: paymentsQuerySchema },
  async ({ req, params, query }) => {
    const page = await listPayments({
      sender: params.sender,
      openBlock: params.open_block,
      ...query,
    });
    const headers = new Headers({ "Cache-Control": "private, no-store" });
    if (page.nextBefore !== null) {
      const next = `${new URL(req.url).pathname}?limit=${query.limit}&before=${page.nextBefore}`;
      headers.set("Link", `<${next}>; rel="next"`);
    }
    return Response.json(page.payments.map(toPaymentJson), { headers });
  },
);

import { requireSenderOrOperator } from "@/lib/auth/caller";
import { channelParamsSchema, parseInput } from "@/lib/api/params";
import { listPayments, paymentsQuerySchema, toPaymentJson } from "@/lib/api/payments";
import { errorResponse } from "@/lib/errors";

type Ctx = { params: Promise<{ sender: string; open_block: string }> };

/**
 * A channel's accepted payments, newest first (operator or that sender):
 * `[{ resource, amount, balance, created_at }]`, `?limit=` (1–1000, default 100) and
 * `?before=<balance>` (the last balance of the previous page). When more payments follow, a
 * `Link: <…?limit=…&before=…>; rel="next"` header names the next page.
 */
// GET /api/1/channels/:sender/:open_block/payments
export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  try {
    const { sender, open_block } = parseInput(channelParamsSchema, await ctx.params);
    await requireSenderOrOperator(req, sender);
    const url = new URL(req.url);
    const query = parseInput(paymentsQuerySchema, {
      limit: url.searchParams.get("limit") ?? undefined,
      before: url.searchParams.get("before") ?? undefined,
    });
    const page = await listPayments({ sender, openBlock: open_block, ...query });
    const headers = new Headers({ "Cache-Control": "private, no-store" });
    if (page.nextBefore !== null) {
      const next = `${url.pathname}?limit=${query.limit}&before=${page.nextBefore}`;
      headers.set("Link", `<${next}>; rel="next"`);
    }
    return Response.json(page.payments.map(toPaymentJson), { headers });
  } catch (err) {
    return errorResponse(err);
  }
}

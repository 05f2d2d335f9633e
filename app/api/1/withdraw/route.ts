import { parseInput, withdrawRequestSchema } from "@/lib/api/params";
import { requireOperator } from "@/lib/auth/caller";
import { assertSameOrigin } from "@/lib/auth/origin";
import { errorResponse } from "@/lib/errors";
import { withdrawChannels } from "@/lib/watchtower";

export const dynamic = "force-dynamic";

// POST /api/1/withdraw — the receiver withdraws accumulated balances of open channels; operator
export async function POST(req: Request): Promise<Response> {
  try {
    assertSameOrigin(req);
    await requireOperator(req);
    const text = await req.text();
    let body: unknown = {};
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        return Response.json({ error: "body: must be JSON" }, { status: 400 });
      }
    }
    const { minimum } = parseInput(withdrawRequestSchema, body);
    const withdrawals = await withdrawChannels({ minimum });
    return Response.json({
      withdrawals: withdrawals.map((w) => ({
        sender_address: w.sender,
        open_block: w.openBlock,
        amount: w.amount.toString(),
        tx_hash: w.txHash,
      })),
      total: withdrawals.reduce((sum, w) => sum + w.amount, 0n).toString(),
    });
  } catch (err) {
    return errorResponse(err);
  }
}

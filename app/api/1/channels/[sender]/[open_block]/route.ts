import { requireSenderOrOperator } from "@/lib/auth/caller";
import { getChannel } from "@/lib/api/channels";
import { cooperativeClose } from "@/lib/api/cooperative-close";
import {
  channelParamsSchema,
  closeRequestSchema,
  parseInput,
  readJsonBody,
} from "@/lib/api/params";
import { errorResponse } from "@/lib/errors";

type Ctx = { params: Promise<{ sender: string; open_block: string }> };

/** One channel with its last accepted balance proof (operator or that sender). */
// GET /api/1/channels/:sender/:open_block
export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  try {
    const { sender, open_block } = parseInput(channelParamsSchema, await ctx.params);
    await requireSenderOrOperator(req, sender);
    return Response.json(await getChannel(sender, open_block));
  } catch (err) {
    return errorResponse(err);
  }
}

/**
 * Cooperative close: body `{ balance, balance_signature }` (the last accepted balance and its
 * proof) → `{ close_signature }`; the channel accepts no more payments afterwards.
 */
// DELETE /api/1/channels/:sender/:open_block
export async function DELETE(req: Request, ctx: Ctx): Promise<Response> {
  try {
    const { sender, open_block } = parseInput(channelParamsSchema, await ctx.params);
    const body = parseInput(closeRequestSchema, await readJsonBody(req));
    const result = await cooperativeClose({
      sender,
      openBlock: open_block,
      balance: body.balance,
      balanceSignature: body.balance_signature,
    });
    return Response.json(result);
  } catch (err) {
    return errorResponse(err);
  }
}

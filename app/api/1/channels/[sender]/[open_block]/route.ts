import { requireSenderOrOperator } from "@/lib/auth/caller";
import { assertSameOrigin } from "@/lib/auth/origin";
import { getChannel } from "@/lib/api/channels";
import { closeAuthFor, cooperativeClose } from "@/lib/api/cooperative-close";
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
 * Cooperative close, by the sender or the channel's signer only: body `{ balance,
 * balance_signature, close_request? }` (the last accepted balance, its proof, and a signed
 * CloseRequest unless signed in as one of them) → `{ close_signature }`; the channel accepts no
 * more payments afterwards.
 */
// DELETE /api/1/channels/:sender/:open_block
export async function DELETE(req: Request, ctx: Ctx): Promise<Response> {
  try {
    assertSameOrigin(req);
    const { sender, open_block } = parseInput(channelParamsSchema, await ctx.params);
    const body = parseInput(closeRequestSchema, await readJsonBody(req));
    const auth = await closeAuthFor(req, body);
    const result = await cooperativeClose({
      sender,
      openBlock: open_block,
      balance: body.balance,
      balanceSignature: body.balance_signature,
      auth,
    });
    return Response.json(result, { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return errorResponse(err);
  }
}

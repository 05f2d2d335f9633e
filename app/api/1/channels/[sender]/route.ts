import { z } from "zod";
import { requireSenderOrOperator } from "@/lib/auth/caller";
import { listChannels } from "@/lib/api/channels";
import { channelStatusSchema, parseInput, senderParamsSchema } from "@/lib/api/params";
import { errorResponse } from "@/lib/errors";

const querySchema = z.object({ status: channelStatusSchema });

/** One sender's channels, same shape and filter as `/api/1/channels` (operator or that sender). */
// GET /api/1/channels/:sender
export async function GET(
  req: Request,
  ctx: { params: Promise<{ sender: string }> },
): Promise<Response> {
  try {
    const { sender } = parseInput(senderParamsSchema, await ctx.params);
    await requireSenderOrOperator(req, sender);
    const status = new URL(req.url).searchParams.get("status") ?? undefined;
    const query = parseInput(querySchema, { status });
    return Response.json(await listChannels({ status: query.status, sender }));
  } catch (err) {
    return errorResponse(err);
  }
}

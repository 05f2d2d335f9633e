import { requireOperator } from "@/lib/auth/caller";
import { listChannels } from "@/lib/api/channels";
import { channelStatusSchema, parseInput } from "@/lib/api/params";
import { errorResponse } from "@/lib/errors";
import { z } from "zod";

const querySchema = z.object({ status: channelStatusSchema });

/** Every channel of the receiver, `?status=open|closing|settled|all` (default open; operator only). */
// GET /api/1/channels
export async function GET(req: Request): Promise<Response> {
  try {
    await requireOperator(req);
    const status = new URL(req.url).searchParams.get("status") ?? undefined;
    const query = parseInput(querySchema, { status });
    return Response.json(await listChannels({ status: query.status }));
  } catch (err) {
    return errorResponse(err);
  }
}

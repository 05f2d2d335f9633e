import { requireOperator } from "@/lib/auth/caller";
import { getStats } from "@/lib/api/stats";
import { errorResponse } from "@/lib/errors";

/** The receiver's channel totals, liquid token balance, addresses and ABIs (operator only). */
// GET /api/1/stats
export async function GET(req: Request): Promise<Response> {
  try {
    await requireOperator(req);
    return Response.json(await getStats());
  } catch (err) {
    return errorResponse(err);
  }
}

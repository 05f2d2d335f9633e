import { requireOperator } from "@/lib/auth/caller";
import { assertSameOrigin } from "@/lib/auth/origin";
import { errorResponse } from "@/lib/errors";
import { runSyncPass } from "@/lib/indexer";

export const dynamic = "force-dynamic";

// POST /api/1/sync — one indexing pass (plus watchtower) on demand; operator or bearer token
export async function POST(req: Request): Promise<Response> {
  try {
    assertSameOrigin(req);
    await requireOperator(req);
    const result = await runSyncPass();
    return Response.json({
      synced_block: result.syncedBlock,
      head_block: result.headBlock,
      events: result.events,
      reorg: result.reorg ?? null,
      disputes: result.disputes,
    });
  } catch (err) {
    return errorResponse(err);
  }
}

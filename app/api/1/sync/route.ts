import { apiRoute } from "@/lib/api/route";
import { runSyncPass } from "@/lib/indexer";

export const dynamic = "force-dynamic";

/** One indexing pass (plus watchtower) on demand (operator or bearer token, e.g. from cron). */
// POST /api/1/sync
export const POST = apiRoute({ auth: "operator" }, async () => {
  const result = await runSyncPass();
  return {
    synced_block: result.syncedBlock,
    head_block: result.headBlock,
    events: result.events,
    reorg: result.reorg ?? null,
    disputes: result.disputes,
  };
});

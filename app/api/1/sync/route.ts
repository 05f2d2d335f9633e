import { apiRoute } from "@/lib/api/route";
import { onLeader } from "@/lib/cluster/leader-tasks";

export const dynamic = "force-dynamic";

/**
 * One indexing pass (plus watchtower) on demand (operator or bearer token, e.g. from cron), run by
 * the leader whichever instance got the request.
 */
// POST /api/1/sync
export const POST = apiRoute({ auth: "operator" }, async () => {
  const result = await onLeader("sync", {});
  return {
    synced_block: result.syncedBlock,
    head_block: result.headBlock,
    events: result.events,
    reorg: result.reorg ?? null,
    disputes: result.disputes,
  };
});

/**
 * Starts the background indexer + watchtower loop once per server process (Node.js runtime only).
 * INDEXER_ENABLED=false turns it off, e.g. on extra app instances or when a scheduler calls
 * POST /api/1/sync instead. Only the leader indexes (lib/cluster/leadership.ts): one instance at a
 * time.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  if (!env().INDEXER_ENABLED) return;
  const { startIndexerLoop } = await import("@/lib/indexer");
  startIndexerLoop();
}

/**
 * One indexer + watchtower pass: what `POST /api/1/sync` and the background loop both run.
 */
import { runWatchtower, type DisputeReport } from "@/lib/watchtower/run-watchtower";
import { syncOnce, type SyncResult } from "./sync";

/** Result of {@link runSyncPass}. */
export interface SyncPassResult extends SyncResult {
  /** What the watchtower did (empty when nothing was closing). */
  disputes: DisputeReport[];
}

let running: Promise<unknown> = Promise.resolve();

/**
 * Indexes new events, then runs the watchtower. Passes in one process run one at a time (the
 * API route and the loop may ask together).
 *
 * @throws when the RPC or database fails
 * @example
 * // POST /api/1/sync
 * const { syncedBlock } = await runSyncPass();
 */
export function runSyncPass(): Promise<SyncPassResult> {
  const pass = running.then(async () => {
    const sync = await syncOnce();
    const disputes = await runWatchtower();
    return { ...sync, disputes };
  });
  running = pass.catch(() => undefined);
  return pass;
}

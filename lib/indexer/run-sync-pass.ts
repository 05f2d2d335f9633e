/**
 * One indexer + watchtower pass: what `POST /api/1/sync` and the background loop both run.
 */
import { ConfigError } from "@/lib/errors";
import { runWatchtower, type DisputeReport } from "@/lib/watchtower/run-watchtower";
import { syncOnce, type SyncResult } from "./sync";

/** Result of {@link runSyncPass}. */
export interface SyncPassResult extends SyncResult {
  /** What the watchtower did (empty when nothing was closing). */
  disputes: DisputeReport[];
}

// The pass in progress, on globalThis: Next bundles the route handlers and instrumentation.ts
// separately, and each bundle has its own copy of this module.
const globalForPass = globalThis as unknown as { paychanSyncPass?: Promise<unknown> };

/**
 * Indexes new events, then runs the watchtower. The watchtower runs even when indexing fails, so
 * channels already known to be closing are still disputed while the RPC's logs are broken; the
 * indexing failure is thrown afterwards. Nothing runs against a misconfigured site or another
 * deployment's database. Passes in one process run one at a time (the API route and the loop may
 * ask together), whichever copy of this module asks.
 *
 * @throws the indexing failure (after the watchtower ran), or the watchtower's own failure
 * @example
 * // POST /api/1/sync
 * const { syncedBlock } = await runSyncPass();
 */
export function runSyncPass(): Promise<SyncPassResult> {
  const pass = (globalForPass.paychanSyncPass ?? Promise.resolve()).then(async () => {
    let sync: SyncResult;
    try {
      sync = await syncOnce();
    } catch (syncError) {
      if (syncError instanceof ConfigError) throw syncError;
      try {
        const disputes = await runWatchtower();
        if (disputes.length > 0)
          console.warn(`[watchtower] ran although indexing failed: ${JSON.stringify(disputes)}`);
      } catch (watchError) {
        console.error("[watchtower] pass failed:", watchError);
      }
      throw syncError;
    }
    const disputes = await runWatchtower();
    return { ...sync, disputes };
  });
  globalForPass.paychanSyncPass = pass.catch(() => undefined);
  return pass;
}

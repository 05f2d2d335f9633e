/**
 * The background loop inside the server: every SYNC_INTERVAL_MS, if this instance leads (see
 * lib/cluster/leadership.ts), run one indexer + watchtower pass. On PostgreSQL the leader also
 * runs, every {@link TASK_POLL_MS}, the work other instances ask of it (lib/cluster/leader-tasks.ts).
 * Errors are logged with backoff; they never escape.
 */
import { acquireLeadership, holdsLeadership, releaseLeadership } from "@/lib/cluster/leadership";
import { runQueuedTasks, setLeaderLoop } from "@/lib/cluster/leader-tasks";
import { dbKind } from "@/lib/db/sql";
import { env } from "@/lib/env";
import { runSyncPass } from "./run-sync-pass";
import { ensureSyncState } from "./sync-state";

/** How often the leader looks for work queued by other instances. */
export const TASK_POLL_MS = 250;

interface LoopState {
  timer?: ReturnType<typeof setTimeout>;
  tasks?: ReturnType<typeof setInterval>;
  stopped: boolean;
  current?: Promise<void>;
  failures: number;
}

const globalForLoop = globalThis as unknown as { indexerLoop?: LoopState };
const MAX_BACKOFF_MS = 60_000;

/** Delay before the next pass: the interval, doubled per consecutive failure, capped at a minute. */
export function nextDelay(intervalMs: number, failures: number): number {
  return Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(failures, 10));
}

async function tick(loop: LoopState): Promise<void> {
  const interval = env().SYNC_INTERVAL_MS;
  try {
    await ensureSyncState();
    if (await acquireLeadership()) await runSyncPass();
    loop.failures = 0;
  } catch (err) {
    loop.failures += 1;
    console.error(
      `[indexer] pass failed (${loop.failures} in a row), retrying in ${nextDelay(interval, loop.failures)} ms:`,
      err,
    );
  }
  if (!loop.stopped) {
    loop.timer = setTimeout(
      () => void (loop.current = tick(loop)),
      nextDelay(interval, loop.failures),
    );
    loop.timer.unref?.();
  }
}

/**
 * Starts the loop once per process (later calls, e.g. after a hot reload, do nothing). Does
 * nothing when INDEXER_ENABLED is off.
 *
 * @returns whether this call started it
 */
export function startIndexerLoop(): boolean {
  if (!env().INDEXER_ENABLED) return false;
  if (globalForLoop.indexerLoop && !globalForLoop.indexerLoop.stopped) return false;
  const loop: LoopState = { stopped: false, failures: 0 };
  globalForLoop.indexerLoop = loop;
  setLeaderLoop(true);
  loop.current = tick(loop);
  if (dbKind() === "postgres") {
    let polling = false;
    loop.tasks = setInterval(() => {
      if (polling || !holdsLeadership()) return;
      polling = true;
      runQueuedTasks()
        .catch((err) => console.error("[leader] reading queued tasks failed:", err))
        .finally(() => (polling = false));
    }, TASK_POLL_MS);
    loop.tasks.unref?.();
  }
  return true;
}

/** Stops the loop, waits for a running pass and releases the lease (tests, shutdown). */
export async function stopIndexerLoop(): Promise<void> {
  const loop = globalForLoop.indexerLoop;
  if (!loop) return;
  loop.stopped = true;
  if (loop.timer) clearTimeout(loop.timer);
  if (loop.tasks) clearInterval(loop.tasks);
  await loop.current;
  globalForLoop.indexerLoop = undefined;
  setLeaderLoop(false);
  await releaseLeadership().catch(() => undefined);
}

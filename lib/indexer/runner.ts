/**
 * The background loop inside the server: every SYNC_INTERVAL_MS, if this instance holds the
 * lease, run one indexer + watchtower pass. Errors are logged with backoff; they never escape.
 */
import { env } from "@/lib/env";
import { acquireLease, releaseLease } from "./lease";
import { runSyncPass } from "./run-sync-pass";
import { ensureSyncState } from "./sync-state";

interface LoopState {
  timer?: ReturnType<typeof setTimeout>;
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
    if (await acquireLease(Math.max(30_000, interval * 5))) await runSyncPass();
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
  loop.current = tick(loop);
  return true;
}

/** Stops the loop, waits for a running pass and releases the lease (tests, shutdown). */
export async function stopIndexerLoop(): Promise<void> {
  const loop = globalForLoop.indexerLoop;
  if (!loop) return;
  loop.stopped = true;
  if (loop.timer) clearTimeout(loop.timer);
  await loop.current;
  globalForLoop.indexerLoop = undefined;
  await releaseLease().catch(() => undefined);
}

/**
 * Counts the 402 answers per resource (`article:<slug>`, `media:<path>`): the denominator of the
 * 402 → paid conversion on the admin dashboard. The paid hot path only increments a Map; the
 * counts reach `ResourceChallenge` in one short transaction every {@link FLUSH_INTERVAL_MS} (one
 * upsert per resource, `count = count + n`) and, best effort, when the process exits. Counts are
 * statistics: a crash loses at most one interval of them (on PostgreSQL, whose client is
 * asynchronous, also the last interval before a normal exit). Instances count on their own and
 * add up in the table.
 */
import type Database from "better-sqlite3";
import { dbKind, sql } from "@/lib/db/sql";
import { sqlite } from "@/lib/db/sqlite";

/** How often pending counts are written. */
export const FLUSH_INTERVAL_MS = 2000;
/**
 * Most distinct resources held between two flushes, a guard should a caller ever count names made
 * from request paths (only stored articles and files are counted today). Further names are dropped.
 */
export const MAX_PENDING_RESOURCES = 10_000;

interface CounterState {
  pending: Map<string, number>;
  timer?: ReturnType<typeof setInterval>;
  exitHook?: boolean;
  stmt?: { conn: Database.Database; upsert: Database.Statement<[string, number, string]> };
}

// One state per process: the proxy and the route handlers are separate bundles of the same
// process, each with its own copy of this module.
const globalForCounter = globalThis as unknown as { paychanChallenges?: CounterState };

function state(): CounterState {
  globalForCounter.paychanChallenges ??= { pending: new Map() };
  return globalForCounter.paychanChallenges;
}

/**
 * Counts one 402 answer for `resource`. Call it only for answers a reader or program actually
 * received: never for HEAD or the client router's prefetches.
 */
export function countChallenge(resource: string): void {
  const s = state();
  const n = s.pending.get(resource);
  if (n !== undefined) s.pending.set(resource, n + 1);
  else if (s.pending.size < MAX_PENDING_RESOURCES) s.pending.set(resource, 1);
  if (!s.timer) start(s);
}

function start(s: CounterState): void {
  s.timer = setInterval(() => {
    flushChallenges().catch((err) => {
      // Kept for the next interval (a locked database, a closed connection in tests).
      console.warn("402 counts not written yet:", err instanceof Error ? err.message : err);
    });
  }, FLUSH_INTERVAL_MS);
  s.timer.unref();
  if (!s.exitHook) {
    s.exitHook = true;
    // better-sqlite3 is synchronous, so the last counts can still be written on exit.
    process.once("exit", () => {
      try {
        if (dbKind() === "sqlite" && s.pending.size > 0) writeSqlite(s, s.pending);
      } catch {
        // best effort
      }
    });
  }
}

const UPSERT = `INSERT INTO "ResourceChallenge" ("resource", "count", "updatedAt") VALUES (?, ?, ?)
  ON CONFLICT ("resource") DO UPDATE SET "count" = "ResourceChallenge"."count" + excluded."count",
                                         "updatedAt" = excluded."updatedAt"`;

function writeSqlite(s: CounterState, batch: Map<string, number>): void {
  const conn = sqlite();
  if (s.stmt?.conn !== conn) s.stmt = { conn, upsert: conn.prepare(UPSERT) };
  const upsert = s.stmt.upsert;
  const now = new Date().toISOString();
  conn.transaction(() => {
    for (const [resource, n] of batch) upsert.run(resource, n, now);
  })();
}

async function writePostgres(batch: Map<string, number>): Promise<void> {
  const now = new Date().toISOString();
  // Each upsert is atomic on its own: an increment is never lost or applied twice.
  for (const [resource, n] of batch) await sql().run(UPSERT, [resource, n, now]);
}

/**
 * Writes the pending counts now; resolves with how many resources were written. On failure (e.g.
 * the database is locked) the counts stay pending and the error is thrown.
 */
export async function flushChallenges(): Promise<number> {
  const s = state();
  if (s.pending.size === 0) return 0;
  const batch = s.pending;
  s.pending = new Map();
  try {
    if (dbKind() === "postgres") await writePostgres(batch);
    else writeSqlite(s, batch);
    return batch.size;
  } catch (err) {
    // Put the batch back, merged with whatever arrived meanwhile.
    for (const [resource, n] of s.pending) batch.set(resource, (batch.get(resource) ?? 0) + n);
    s.pending = batch;
    throw err;
  }
}

/** Counts not written yet (for tests and diagnostics). */
export function pendingChallenges(): ReadonlyMap<string, number> {
  return state().pending;
}

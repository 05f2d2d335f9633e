/**
 * Counts the readers of articles and media files (`article:<slug>`, `media:<path>`) for the 402 →
 * paid conversion on the admin dashboard: per resource and reader (lib/paywall/visitor.ts),
 * whether they were shown the paywall and whether they paid. The request path only merges a mark
 * into a Map; the marks reach `ResourceReader` every {@link FLUSH_INTERVAL_MS} (one upsert per
 * pair that keeps the first time of each mark, so writes from several instances add up) and, best
 * effort, when the process exits or is told to stop. Marks are statistics: a crash loses at most
 * one interval of them.
 */
import type Database from "better-sqlite3";
import { dbKind, sql } from "@/lib/db/sql";
import { sqlite } from "@/lib/db/sqlite";
import { env } from "@/lib/env";
import { paywallContext } from "./context";
import type { Paid } from "./decide";
import { ReaderMarks, type ReaderEvent, type ReaderPair } from "./reader-marks";
import { identifyVisitor } from "./visitor";

/** How often pending marks are written. */
export const FLUSH_INTERVAL_MS = 2000;
/**
 * Most (resource, reader) pairs held between two flushes (a few MB): past half of it a flush starts
 * at once; when full, marks of new pairs are dropped until it is written.
 */
export const MAX_PENDING_READERS = 20_000;
/** Rows per PostgreSQL statement. */
const PG_ROWS_PER_STATEMENT = 200;

interface CounterState {
  pending: ReaderMarks;
  /** The write under way, if any. */
  flushing?: Promise<number>;
  timer?: ReturnType<typeof setInterval>;
  exitHooks?: boolean;
  stmt?: { conn: Database.Database; upsert: Database.Statement<(string | null)[]> };
}

// One state per process: the proxy and the route handlers are separate bundles of the same
// process, each with its own copy of this module.
const globalForCounter = globalThis as unknown as { paychanReaders?: CounterState };

function state(): CounterState {
  globalForCounter.paychanReaders ??= { pending: new ReaderMarks(MAX_PENDING_READERS) };
  return globalForCounter.paychanReaders;
}

/**
 * Notes that `visitor` was shown the paywall of `resource`, or paid for it. Only for a bounded set
 * of resource names (stored articles and files), and only for answers a reader or program
 * actually received: never for HEAD or the client router's prefetches.
 */
export function recordReader(resource: string, visitor: string, event: ReaderEvent): void {
  const s = state();
  s.pending.add(resource, visitor, event);
  if (!s.timer) start(s);
  if (s.pending.size >= MAX_PENDING_READERS / 2 && !s.flushing) flushSoon();
}

/** Whether `paid` is a payment made by this request (a retried proof or a receipt is not). */
export function isNewPayment(paid: Paid): boolean {
  return paid.type === "x402" || (paid.type === "paid" && !paid.retry);
}

/**
 * Records the reader of `req` for `resource` (see {@link recordReader}); resolves with the
 * `Set-Cookie` value to send when the reader is a browser seen for the first time.
 */
export async function countReader(
  req: Request,
  resource: string,
  event: ReaderEvent,
): Promise<string | undefined> {
  const ctx = await paywallContext();
  const visitor = identifyVisitor(req, env().SESSION_SECRET ?? ctx.chain.derivedSecret);
  recordReader(resource, visitor.id, event);
  return visitor.setCookie;
}

function flushSoon(): void {
  flushReaders().catch((err) => {
    // Kept for the next attempt (a locked database, a closed connection in tests).
    console.warn("reader counts not written yet:", err instanceof Error ? err.message : err);
  });
}

function start(s: CounterState): void {
  s.timer = setInterval(flushSoon, FLUSH_INTERVAL_MS);
  s.timer.unref();
  if (s.exitHooks) return;
  s.exitHooks = true;
  // better-sqlite3 is synchronous, so the last marks can still be written on exit.
  process.once("exit", () => {
    try {
      if (dbKind() === "sqlite" && s.pending.size > 0) writeSqlite(s, [...s.pending.pairs()]);
    } catch {
      // best effort
    }
  });
  // PostgreSQL's client is asynchronous: start writing when the server is told to stop (next
  // start finishes its requests first); the signal's default action is restored afterwards.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      const done = () => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      };
      if (dbKind() === "postgres") flushReaders().then(done, done);
      else done();
    });
  }
}

const COLUMNS = `INSERT INTO "ResourceReader" ("resource", "visitor", "askedAt", "paidAt", "updatedAt")`;
const ROW = "(?, ?, ?, ?, ?)";
// The first time of each mark is kept: an upsert applied twice, or by two instances, changes nothing.
const ON_CONFLICT = `ON CONFLICT ("resource", "visitor") DO UPDATE SET
  "askedAt" = COALESCE("ResourceReader"."askedAt", excluded."askedAt"),
  "paidAt" = COALESCE("ResourceReader"."paidAt", excluded."paidAt"),
  "updatedAt" = excluded."updatedAt"`;

function rowParams({ resource, visitor, mark }: ReaderPair, now: string): (string | null)[] {
  return [resource, visitor, mark.asked ? now : null, mark.paid ? now : null, now];
}

function writeSqlite(s: CounterState, batch: readonly ReaderPair[]): void {
  const conn = sqlite();
  if (s.stmt?.conn !== conn) {
    const upsert = conn.prepare<(string | null)[]>(`${COLUMNS} VALUES ${ROW} ${ON_CONFLICT}`);
    s.stmt = { conn, upsert };
  }
  const upsert = s.stmt.upsert;
  const now = new Date().toISOString();
  conn.transaction(() => {
    for (const pair of batch) upsert.run(...rowParams(pair, now));
  })();
}

function byKey(a: ReaderPair, b: ReaderPair): number {
  if (a.resource !== b.resource) return a.resource < b.resource ? -1 : 1;
  return a.visitor < b.visitor ? -1 : a.visitor > b.visitor ? 1 : 0;
}

async function writePostgres(batch: readonly ReaderPair[]): Promise<void> {
  const now = new Date().toISOString();
  // In key order, so that two instances writing overlapping batches lock rows in the same order.
  const sorted = [...batch].sort(byKey);
  for (let i = 0; i < sorted.length; i += PG_ROWS_PER_STATEMENT) {
    const rows = sorted.slice(i, i + PG_ROWS_PER_STATEMENT);
    await sql().run(
      `${COLUMNS} VALUES ${rows.map(() => ROW).join(", ")} ${ON_CONFLICT}`,
      rows.flatMap((pair) => rowParams(pair, now)),
    );
  }
}

/**
 * Writes the pending marks now; resolves with how many pairs were written. On failure (e.g. the
 * database is locked) the marks stay pending and the error is thrown. A flush already under way
 * is waited for first.
 */
export async function flushReaders(): Promise<number> {
  const s = state();
  if (s.flushing) await s.flushing.catch(() => undefined);
  if (s.pending.size === 0) return 0;
  const batch = s.pending;
  s.pending = new ReaderMarks(MAX_PENDING_READERS);
  const run = write(s, batch);
  s.flushing = run;
  try {
    return await run;
  } finally {
    if (s.flushing === run) s.flushing = undefined;
  }
}

async function write(s: CounterState, batch: ReaderMarks): Promise<number> {
  const pairs = [...batch.pairs()];
  try {
    if (dbKind() === "postgres") await writePostgres(pairs);
    else writeSqlite(s, pairs);
    return pairs.length;
  } catch (err) {
    // Put the batch back, merged with whatever arrived meanwhile.
    batch.merge(s.pending);
    s.pending = batch;
    throw err;
  }
}

/** Marks not written yet (for tests and diagnostics). */
export function pendingReaders(): ReaderMarks {
  return state().pending;
}

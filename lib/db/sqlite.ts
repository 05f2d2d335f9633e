import Database from "better-sqlite3";
import { env } from "@/lib/env";

const globalForSqlite = globalThis as unknown as {
  sqlite?: { url: string; db: Database.Database };
};

/** Path of the SQLite file named by a Prisma-style `file:` URL. */
export function sqlitePath(url: string): string {
  if (!url.startsWith("file:"))
    throw new Error(`DATABASE_URL must be a file: URL for SQLite (got ${url})`);
  return url.slice("file:".length).split("?")[0]!;
}

/**
 * The process-wide raw SQLite connection used by the payment hot path (prepared statements, no
 * ORM round trip). WAL mode lets it share the file with the Prisma client.
 */
export function sqlite(): Database.Database {
  const url = env().DATABASE_URL;
  const cached = globalForSqlite.sqlite;
  if (cached && cached.url === url && cached.db.open) return cached.db;
  cached?.db.close();
  const conn = new Database(sqlitePath(url));
  conn.pragma("journal_mode = WAL");
  // No blocking busy wait: a locked database fails at once and the caller retries asynchronously
  // (see withBusyRetry), so the event loop keeps running whoever holds the lock — in this process
  // that is often the Prisma connection, which needs the event loop to finish its transaction.
  conn.pragma("busy_timeout = 0");
  conn.pragma("synchronous = NORMAL");
  globalForSqlite.sqlite = { url, db: conn };
  return conn;
}

/** Closes the raw connection (tests switch databases between suites). */
export function closeSqlite(): void {
  globalForSqlite.sqlite?.db.close();
  globalForSqlite.sqlite = undefined;
}

/** Runs a write, retrying with a short async back-off while the database is locked by another connection. */
export async function withBusyRetry<T>(write: () => T, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    try {
      return write();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if ((code !== "SQLITE_BUSY" && code !== "SQLITE_LOCKED") || Date.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

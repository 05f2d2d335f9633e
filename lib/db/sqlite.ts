import Database from "better-sqlite3";
import { env } from "@/lib/env";

const globalForSqlite = globalThis as unknown as { sqlite?: { url: string; db: Database.Database } };

/** Path of the SQLite file named by a Prisma-style `file:` URL. */
export function sqlitePath(url: string): string {
  if (!url.startsWith("file:")) throw new Error(`DATABASE_URL must be a file: URL for SQLite (got ${url})`);
  return url.slice("file:".length).split("?")[0]!;
}

/**
 * The process-wide raw SQLite connection used by the payment hot path (prepared statements, no
 * ORM round trip). WAL mode lets it share the file with the Prisma client; busy_timeout makes a
 * writer wait for another instead of failing.
 */
export function sqlite(): Database.Database {
  const url = env().DATABASE_URL;
  const cached = globalForSqlite.sqlite;
  if (cached && cached.url === url && cached.db.open) return cached.db;
  cached?.db.close();
  const conn = new Database(sqlitePath(url));
  conn.pragma("journal_mode = WAL");
  conn.pragma("busy_timeout = 5000");
  conn.pragma("synchronous = NORMAL");
  globalForSqlite.sqlite = { url, db: conn };
  return conn;
}

/** Closes the raw connection (tests switch databases between suites). */
export function closeSqlite(): void {
  globalForSqlite.sqlite?.db.close();
  globalForSqlite.sqlite = undefined;
}

/**
 * The process-wide PostgreSQL pool for the raw queries of the hot paths (the Prisma client keeps
 * its own pool). Sessions run in UTC, so `TIMESTAMP(3)` columns hold UTC like Prisma writes them,
 * and timestamps are read back as ISO text with `Z`.
 */
import pg from "pg";
import { env } from "@/lib/env";

const TIMESTAMP_OID = 1114;

const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === TIMESTAMP_OID) return (text: string) => `${text.replace(" ", "T")}Z`;
    return pg.types.getTypeParser(oid, format as "text");
  },
};

const globalForPg = globalThis as unknown as { pgPool?: { url: string; pool: pg.Pool } };

/** Options every pool of this site uses (also the Prisma adapter's, which parses types itself). */
export function poolConfig(url: string, max = 10): pg.PoolConfig {
  return { connectionString: url, max, options: "-c TimeZone=UTC" };
}

/** The pool for `DATABASE_URL` (a postgresql:// URL). */
export function pgPool(): pg.Pool {
  const url = env().DATABASE_URL;
  const cached = globalForPg.pgPool;
  if (cached && cached.url === url) return cached.pool;
  void cached?.pool.end().catch(() => undefined);
  const pool = new pg.Pool({ ...poolConfig(url, env().PG_POOL_SIZE), types });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on("error", (err) => console.warn("[db] idle PostgreSQL connection lost:", err.message));
  globalForPg.pgPool = { url, pool };
  return pool;
}

/** Closes the pool (tests switch databases between suites). */
export async function closePgPool(): Promise<void> {
  const cached = globalForPg.pgPool;
  globalForPg.pgPool = undefined;
  await cached?.pool.end().catch(() => undefined);
}

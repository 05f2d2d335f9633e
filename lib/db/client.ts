import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "@/lib/env";
import { PrismaClient } from "./generated/client";
import { PrismaClient as PostgresPrismaClient } from "./generated-pg/client";
import { databaseKind } from "./kind";
import { closePgPool, poolConfig } from "./pg";

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/**
 * The process-wide Prisma client (one per process, reused across hot reloads), for SQLite or
 * PostgreSQL by the scheme of DATABASE_URL. Both clients are generated from the one schema and have
 * the same API; the PostgreSQL one is typed as the SQLite one.
 */
export function db(): PrismaClient {
  if (globalForPrisma.prisma) return globalForPrisma.prisma;
  const { DATABASE_URL: url, PG_POOL_SIZE } = env();
  globalForPrisma.prisma = createPrismaClient(url, PG_POOL_SIZE);
  return globalForPrisma.prisma;
}

/** A new Prisma client for `url` (SQLite or PostgreSQL by its scheme); the caller disconnects it. */
export function createPrismaClient(url: string, poolSize = 10): PrismaClient {
  return databaseKind(url) === "postgres"
    ? (new PostgresPrismaClient({
        adapter: new PrismaPg(poolConfig(url, poolSize)),
      }) as unknown as PrismaClient)
    : new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) });
}

/** Disconnects and forgets the client (tests switch databases between suites). */
export async function resetDb(): Promise<void> {
  const client = globalForPrisma.prisma;
  globalForPrisma.prisma = undefined;
  await client?.$disconnect();
  await closePgPool();
}

/**
 * The database an integration test runs against: a throwaway SQLite file (the default) or, with
 * TEST_DATABASE=postgres, a fresh database on the PostgreSQL server that
 * tests/global-setup-postgres.ts starts once per vitest run.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";

/** Variable through which the PostgreSQL server's URL also reaches workers and child scripts. */
export const TEST_POSTGRES_URL = "TEST_POSTGRES_URL";

export interface TestDatabase {
  kind: "sqlite" | "postgres";
  /** The DATABASE_URL of the new database. */
  url: string;
  /** Removes the database (PostgreSQL: drops it, closing its connections; SQLite: nothing, the
   * file goes with its directory). */
  drop(): Promise<void>;
}

/** Which database the integration tests use: TEST_DATABASE=postgres, else SQLite. */
export function testDatabaseKind(): "sqlite" | "postgres" {
  const kind = process.env.TEST_DATABASE ?? "sqlite";
  if (kind !== "sqlite" && kind !== "postgres")
    throw new Error(`TEST_DATABASE must be "sqlite" or "postgres" (got "${kind}")`);
  return kind;
}

/**
 * The URL of the maintenance database of the run's PostgreSQL server, or undefined when this run
 * has none. The global setup sets TEST_POSTGRES_URL before any worker starts, so workers inherit
 * it. (No import of vitest here: scripts outside vitest, such as `npm run bench:browser`, load
 * this module through the site-server helper.)
 */
export function testPostgresServerUrl(): string | undefined {
  return process.env[TEST_POSTGRES_URL] || undefined;
}

/** `url` with its database name replaced by `name`. */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Creates an empty database on the PostgreSQL server at `serverUrl` (a maintenance database URL)
 * under a new random name `t_<hex>`, and returns its URL and how to drop it.
 */
export async function createPostgresDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  let dropped = false;
  return {
    kind: "postgres",
    url: withDatabaseName(serverUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * A new empty database for one fixture: `file:<dir>/site.db` for SQLite, or a fresh database on
 * the run's PostgreSQL server when TEST_DATABASE=postgres. Migrate it before use.
 *
 * @example
 * const database = await createTestDatabase(dir);
 * runScript(["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: database.url });
 */
export async function createTestDatabase(dir: string): Promise<TestDatabase> {
  if (testDatabaseKind() === "sqlite") {
    return { kind: "sqlite", url: `file:${path.join(dir, "site.db")}`, drop: async () => {} };
  }
  const serverUrl = testPostgresServerUrl();
  if (!serverUrl) {
    throw new Error(
      "TEST_DATABASE=postgres but no PostgreSQL server is known: run the suite with " +
        "`npx vitest run -c vitest.postgres.config.ts` (its global setup starts one) or set " +
        `${TEST_POSTGRES_URL} to a server's maintenance database URL`,
    );
  }
  return createPostgresDatabase(serverUrl);
}

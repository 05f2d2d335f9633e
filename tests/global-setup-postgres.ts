/**
 * Global setup of the PostgreSQL suite (vitest.postgres.config.ts): one PostgreSQL server for the
 * whole run (Debian's packages, installed with apt when missing; fsync off), whose URL reaches
 * the test files through TEST_POSTGRES_URL (set before any worker starts). Every fixture creates its
 * own database on it (tests/helpers/test-database.ts). With TEST_POSTGRES_URL already set, that
 * server is used and none is started.
 */
import { startPostgres, type PostgresServer } from "../scripts/lib/postgres";

/** As in tests/helpers/test-database.ts. */
const TEST_POSTGRES_URL = "TEST_POSTGRES_URL";

export default async function setup(): Promise<() => void> {
  const given = process.env[TEST_POSTGRES_URL];
  let server: PostgresServer | undefined;
  if (!given) {
    const started = Date.now();
    console.log("[postgres] starting a PostgreSQL server for the test run…");
    try {
      server = await startPostgres({
        fast: true,
        log: (line) => console.log(`[postgres] ${line}`),
      });
    } catch (err) {
      throw new Error(
        "the PostgreSQL test suite could not start PostgreSQL. It needs Debian's `postgresql` " +
          "package (installed here with apt when run as root or with sudo: " +
          "`sudo apt-get install -y postgresql`), or TEST_POSTGRES_URL pointing at a running " +
          `server.\nCause: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    console.log(`[postgres] ready on port ${server.port} (${Date.now() - started} ms)`);
  }
  const url = given ?? server!.url();
  process.env[TEST_POSTGRES_URL] = url;
  process.env.TEST_DATABASE = "postgres";
  return () => {
    server?.stop();
  };
}

// Applies prisma/migrations-postgres to a PostgreSQL database. Prisma's own `migrate deploy` cannot
// run through the PostgreSQL driver adapter yet (its JS engine fails to read the `name` columns of
// the catalog), so this does what it does, in Prisma's own bookkeeping table `_prisma_migrations`:
// each migration not applied yet runs in its own transaction, in name order, and is recorded with
// the SHA-256 of its file. An applied migration whose file changed since is an error. Instances
// starting together take turns on an advisory lock, so each migration runs once.
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";

/** Advisory lock key held while migrating (any constant; "paychan" in ASCII). */
const MIGRATE_LOCK = 0x70617963;

/** The migration directories under `dir`, in the order they apply. */
export function migrationNames(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort();
}

/**
 * Applies the pending migrations of `dir` to the database at `url`.
 *
 * @returns the names of the migrations applied now
 */
export async function migratePostgres(url, dir, log = console.log) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATE_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query(
      `SELECT "migration_name", "checksum", "finished_at" FROM "_prisma_migrations"
        WHERE "rolled_back_at" IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    for (const name of migrationNames(dir)) {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      const row = done.get(name);
      if (row) {
        if (!row.finished_at)
          throw new Error(
            `migration ${name} started but did not finish: check the database by hand`,
          );
        if (row.checksum !== checksum)
          throw new Error(`migration ${name} was changed after it was applied (checksum differs)`);
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations"
             ("id", "checksum", "migration_name", "finished_at", "applied_steps_count")
           VALUES ($1, $2, $3, now(), 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new Error(`migration ${name} failed: ${err instanceof Error ? err.message : err}`);
      }
      applied.push(name);
      log?.(`Applied migration ${name}`);
    }
    if (applied.length === 0) log?.("No pending migrations to apply.");
  } finally {
    await client.end();
  }
  return applied;
}

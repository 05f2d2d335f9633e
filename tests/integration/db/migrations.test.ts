/**
 * The SQLite and PostgreSQL migrations stay in step: the same migrations under the same names from
 * the PostgreSQL baseline on, the PostgreSQL schema file derived from the one schema, and — applied
 * to fresh databases — the same tables, columns, keys, indexes and foreign keys on both, matching
 * the models of prisma/schema.prisma and the generated client. Only the full-text search objects
 * differ, by design (see schema-introspect.ts).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/lib/db/generated/client";
import { startPostgres, type PostgresServer } from "../../../scripts/lib/postgres";
import { runScript } from "../../helpers/site-fixture";
import {
  createPostgresDatabase,
  testPostgresServerUrl,
  type TestDatabase,
} from "../../helpers/test-database";
import { prismaSchemaShape } from "./prisma-schema-shape";
import { compareSchemas, type SchemaShape } from "./schema-compare";
import {
  introspectPostgres,
  introspectSqlite,
  POSTGRES_SEARCH_INDEX,
  SQLITE_SEARCH_TRIGGERS,
} from "./schema-introspect";

const root = path.resolve(__dirname, "../../..");
const SQLITE_DIR = path.join(root, "prisma/migrations");
const POSTGRES_DIR = path.join(root, "prisma/migrations-postgres");
/** The first migration of the PostgreSQL store: the whole schema as of this SQLite migration. */
const BASELINE = "20261128000000_admin";

const migrations = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

const schemaText = () => readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");

describe("migration directories", () => {
  it("every SQLite migration from the PostgreSQL baseline on has a PostgreSQL twin, and back", () => {
    const sqlite = migrations(SQLITE_DIR);
    const postgres = migrations(POSTGRES_DIR);
    expect(sqlite).toContain(BASELINE);
    expect(postgres[0]).toBe(BASELINE);
    expect(postgres).toEqual(sqlite.filter((name) => name >= BASELINE));
    for (const [dir, name] of [
      ...sqlite.map((n) => [SQLITE_DIR, n]),
      ...postgres.map((n) => [POSTGRES_DIR, n]),
    ])
      expect(existsSync(path.join(dir!, name!, "migration.sql")), `${dir}/${name}`).toBe(true);
  });

  it("each directory's migration_lock.toml names its provider", () => {
    const provider = (dir: string) =>
      readFileSync(path.join(dir, "migration_lock.toml"), "utf8").match(
        /^provider\s*=\s*"([^"]+)"/m,
      )?.[1];
    expect(provider(SQLITE_DIR)).toBe("sqlite");
    expect(provider(POSTGRES_DIR)).toBe("postgresql");
  });

  it("prisma/postgres/schema.prisma is the copy scripts/prisma.mjs derives from the schema", async () => {
    const { postgresSchema } = (await import(
      pathToFileURL(path.join(root, "scripts/prisma.mjs")).href
    )) as { postgresSchema: (text: string) => string };
    const written = readFileSync(path.join(root, "prisma/postgres/schema.prisma"), "utf8");
    expect(written).toBe(postgresSchema(schemaText()));
  });

  it("the generated client knows exactly the models and scalar fields of the schema", () => {
    const fromSchema = Object.fromEntries(
      Object.entries(prismaSchemaShape(schemaText())).map(([m, t]) => [
        m,
        Object.keys(t.columns).sort(),
      ]),
    );
    const namespace = Prisma as unknown as Record<string, Record<string, string>>;
    const fromClient = Object.fromEntries(
      Object.values(Prisma.ModelName).map((m) => [
        m,
        Object.values(namespace[`${m}ScalarFieldEnum`] ?? {}).sort(),
      ]),
    );
    expect(fromClient).toEqual(fromSchema);
  });
});

describe("all migrations applied to fresh databases", () => {
  let dir: string;
  let server: PostgresServer | undefined;
  let database: TestDatabase | undefined;
  let sqlite: { schema: SchemaShape; triggers: string[] };
  let postgres: { schema: SchemaShape; triggers: string[] };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "site-migrations-"));
    const file = path.join(dir, "site.db");
    runScript(["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: `file:${file}` });
    sqlite = introspectSqlite(file);
    let serverUrl = testPostgresServerUrl();
    if (!serverUrl) {
      server = await startPostgres({ fast: true, log: () => {} });
      serverUrl = server.url();
    }
    database = await createPostgresDatabase(serverUrl);
    runScript(["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: database.url });
    postgres = await introspectPostgres(database.url);
  });

  afterAll(async () => {
    await database?.drop().catch(() => {});
    server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("SQLite and PostgreSQL have the same tables, columns, keys, indexes and foreign keys", () => {
    expect(Object.keys(sqlite.schema).length).toBeGreaterThan(5);
    expect(compareSchemas(sqlite.schema, postgres.schema, ["sqlite", "postgres"])).toEqual([]);
  });

  it("both match the models of prisma/schema.prisma", () => {
    const models = prismaSchemaShape(schemaText());
    expect(compareSchemas(models, sqlite.schema, ["schema.prisma", "sqlite"])).toEqual([]);
    expect(compareSchemas(models, postgres.schema, ["schema.prisma", "postgres"])).toEqual([]);
  });

  it("the full-text search objects are the only provider-specific ones", async () => {
    // SQLite: no trigger but the search ones (introspectSqlite leaves those out of `triggers`).
    expect(sqlite.triggers).toEqual([]);
    expect(postgres.triggers).toEqual([]);
    const pg = await import("pg");
    const client = new pg.default.Client({ connectionString: database!.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = $1",
        [POSTGRES_SEARCH_INDEX],
      );
      expect(rows[0]?.indexdef).toMatch(/USING gin/i);
    } finally {
      await client.end();
    }
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(path.join(dir, "site.db"), { readonly: true });
    try {
      const names = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        .all()
        .map((r) => (r as { name: string }).name);
      expect(names).toEqual([...SQLITE_SEARCH_TRIGGERS].sort());
      expect(
        db.prepare("SELECT sql FROM sqlite_master WHERE name = 'ArticleSearch'").get(),
      ).toEqual({ sql: expect.stringMatching(/USING fts5/i) });
    } finally {
      db.close();
    }
  });
});

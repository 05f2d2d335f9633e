/**
 * Raw SQL for the hot paths and the few queries Prisma cannot express, on either database. Write
 * the SQL once, portable: identifiers double-quoted (`"Channel"."balance"`), `?` placeholders,
 * `TRUE`/`FALSE` for booleans and quoted aliases (`AS "lastPaidAt"`). SQLite runs it through
 * better-sqlite3's cached prepared statements (synchronously underneath), PostgreSQL through the
 * pool of lib/db/pg.ts with `?` turned into `$1, $2, …`. Timestamps come back as ISO text or unix
 * milliseconds: read them with `storedDate`.
 */
import type Database from "better-sqlite3";
import { env } from "@/lib/env";
import { databaseKind, type DatabaseKind } from "./kind";
import { pgPool } from "./pg";
import { sqlite } from "./sqlite";

export type SqlParam = string | number | bigint | boolean | null;

/** A connection (or pool) that runs portable SQL. */
export interface Sql {
  kind: DatabaseKind;
  /** All rows. */
  all<T>(text: string, params?: SqlParam[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(text: string, params?: SqlParam[]): Promise<T | undefined>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(text: string, params?: SqlParam[]): Promise<number>;
}

/** `?` placeholders as PostgreSQL's `$n` (the SQL of this project has no `?` in literals). */
export function numberedPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepared(conn: Database.Database, text: string): Database.Statement {
  let cache = statements.get(conn);
  if (!cache) statements.set(conn, (cache = new Map()));
  let stmt = cache.get(text);
  if (!stmt) cache.set(text, (stmt = conn.prepare(text)));
  return stmt;
}

const sqliteParams = (params: SqlParam[]) =>
  params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p));

const sqliteSql: Sql = {
  kind: "sqlite",
  async all<T>(text: string, params: SqlParam[] = []) {
    return prepared(sqlite(), text).all(...sqliteParams(params)) as T[];
  },
  async get<T>(text: string, params: SqlParam[] = []) {
    return prepared(sqlite(), text).get(...sqliteParams(params)) as T | undefined;
  },
  async run(text: string, params: SqlParam[] = []) {
    return prepared(sqlite(), text).run(...sqliteParams(params)).changes;
  },
};

const pgParams = (params: SqlParam[]) =>
  params.map((p) => (typeof p === "bigint" ? p.toString() : p));

const postgresSql: Sql = {
  kind: "postgres",
  async all<T>(text: string, params: SqlParam[] = []) {
    const res = await pgPool().query({
      text: numberedPlaceholders(text),
      values: pgParams(params),
    });
    return res.rows as T[];
  },
  async get<T>(text: string, params: SqlParam[] = []) {
    return (await postgresSql.all<T>(text, params))[0];
  },
  async run(text: string, params: SqlParam[] = []) {
    const res = await pgPool().query({
      text: numberedPlaceholders(text),
      values: pgParams(params),
    });
    return res.rowCount ?? 0;
  },
};

/** The kind of the configured database. */
export function dbKind(): DatabaseKind {
  return databaseKind(env().DATABASE_URL);
}

/** Portable raw SQL on the configured database. */
export function sql(): Sql {
  return dbKind() === "postgres" ? postgresSql : sqliteSql;
}

/**
 * Prisma string filters that ignore case on both databases: SQLite's LIKE ignores ASCII case
 * already, PostgreSQL needs `mode: "insensitive"` (which the SQLite client's types do not know).
 */
export function containsText(text: string): { contains: string } {
  return dbKind() === "postgres"
    ? ({ contains: text, mode: "insensitive" } as { contains: string })
    : { contains: text };
}

/** Like {@link containsText}, for a prefix. */
export function startsWithText(text: string): { startsWith: string } {
  return dbKind() === "postgres"
    ? ({ startsWith: text, mode: "insensitive" } as { startsWith: string })
    : { startsWith: text };
}

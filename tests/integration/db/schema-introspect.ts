/**
 * Reads a migrated database's schema into a SchemaShape: SQLite through its PRAGMAs, PostgreSQL
 * through its catalogs. The full-text search objects, which differ by design, are left out by
 * name: SQLite's FTS5 table ArticleSearch (and its shadow tables) with its Article_search_*
 * triggers, PostgreSQL's GIN index Article_search_idx.
 */
import Database from "better-sqlite3";
import pg from "pg";
import {
  ROWID,
  normaliseDefault,
  postgresTypeClass,
  sqliteTypeClass,
  type SchemaShape,
  type TableShape,
} from "./schema-compare";

/** Tables of the full-text search on SQLite (the FTS5 table and its shadow tables). */
export const SQLITE_SEARCH_TABLES = ["", "_data", "_idx", "_content", "_docsize", "_config"].map(
  (s) => `ArticleSearch${s}`,
);
/** Triggers that keep SQLite's ArticleSearch in step with Article. */
export const SQLITE_SEARCH_TRIGGERS = ["insert", "update", "delete"].map(
  (s) => `Article_search_${s}`,
);
/** PostgreSQL's full-text index over Article. */
export const POSTGRES_SEARCH_INDEX = "Article_search_idx";

const MIGRATIONS_TABLE = "_prisma_migrations";

const fkAction = (a: string) => a.toUpperCase();

/** The schema of the SQLite file at `file`, and its triggers other than the search ones. */
export function introspectSqlite(file: string): { schema: SchemaShape; triggers: string[] } {
  const db = new Database(file, { readonly: true });
  try {
    const objects = db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
      .all() as Array<{ type: string; name: string; sql: string | null }>;
    const schema: SchemaShape = {};
    for (const { name, sql } of objects.filter((o) => o.type === "table")) {
      if (name === MIGRATIONS_TABLE || SQLITE_SEARCH_TABLES.includes(name)) continue;
      const cols = db.prepare(`PRAGMA table_info("${name}")`).all() as Array<{
        name: string;
        type: string;
        notnull: number;
        dflt_value: string | null;
        pk: number;
      }>;
      const table: TableShape = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [] };
      for (const c of cols) {
        // Prisma writes every `Int @id` as INTEGER PRIMARY KEY AUTOINCREMENT, with or without
        // @default(autoincrement()): such a column is SQLite's rowid, assigned when not given.
        const rowid = new RegExp(`"${c.name}"[^,]*PRIMARY KEY AUTOINCREMENT`, "i").test(sql ?? "");
        table.columns[c.name] = {
          type: sqliteTypeClass(c.type),
          nullable: c.notnull === 0,
          default: rowid ? ROWID : normaliseDefault(c.dflt_value),
        };
      }
      table.primaryKey = cols
        .filter((c) => c.pk > 0)
        .sort((x, y) => x.pk - y.pk)
        .map((c) => c.name);
      const indexes = db.prepare(`PRAGMA index_list("${name}")`).all() as Array<{
        name: string;
        unique: number;
        origin: string;
      }>;
      for (const i of indexes.filter((x) => x.origin !== "pk")) {
        const info = db.prepare(`PRAGMA index_info("${i.name}")`).all() as Array<{
          seqno: number;
          name: string;
        }>;
        table.indexes[i.name] = {
          unique: i.unique === 1,
          columns: info.sort((x, y) => x.seqno - y.seqno).map((x) => x.name),
        };
      }
      const fks = db.prepare(`PRAGMA foreign_key_list("${name}")`).all() as Array<{
        id: number;
        seq: number;
        table: string;
        from: string;
        to: string;
        on_update: string;
        on_delete: string;
      }>;
      for (const id of [...new Set(fks.map((f) => f.id))]) {
        const parts = fks.filter((f) => f.id === id).sort((x, y) => x.seq - y.seq);
        table.foreignKeys.push({
          columns: parts.map((p) => p.from),
          table: parts[0]!.table,
          references: parts.map((p) => p.to),
          onDelete: fkAction(parts[0]!.on_delete),
          onUpdate: fkAction(parts[0]!.on_update),
        });
      }
      schema[name] = table;
    }
    const triggers = objects
      .filter((o) => o.type === "trigger" && !SQLITE_SEARCH_TRIGGERS.includes(o.name))
      .map((o) => o.name);
    return { schema, triggers };
  } finally {
    db.close();
  }
}

const PG_ACTIONS: Record<string, string> = {
  a: "NO ACTION",
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};

/** `attnums` of relation `rel` as a column-name array, in order (SQL fragment). */
const names = (rel: string, attnums: string) =>
  `array(SELECT coalesce(a.attname, 'expr') FROM unnest(${attnums}::int2[]) WITH ORDINALITY k(n, o)
     LEFT JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = k.n ORDER BY k.o)`;

/** The schema of the PostgreSQL database at `url` (schema `public`), and its triggers. */
export async function introspectPostgres(
  url: string,
): Promise<{ schema: SchemaShape; triggers: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schema: SchemaShape = {};
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> $1`,
      [MIGRATIONS_TABLE],
    );
    for (const { table_name } of tables.rows)
      schema[table_name] = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [] };
    const cols = await client.query<{
      table_name: string;
      column_name: string;
      is_nullable: string;
      data_type: string;
      column_default: string | null;
    }>(
      `SELECT table_name, column_name, is_nullable, data_type, column_default
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY ordinal_position`,
    );
    for (const c of cols.rows) {
      const table = schema[c.table_name];
      if (!table) continue;
      table.columns[c.column_name] = {
        type: postgresTypeClass(c.data_type),
        nullable: c.is_nullable === "YES",
        default: normaliseDefault(c.column_default),
      };
    }
    const indexes = await client.query<{
      table: string;
      name: string;
      primary: boolean;
      unique: boolean;
      columns: string[];
    }>(
      `SELECT t.relname AS table, i.relname AS name, x.indisprimary AS primary,
              x.indisunique AS unique, ${names("x.indrelid", "x.indkey")}::text[] AS columns
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'`,
    );
    for (const i of indexes.rows) {
      const table = schema[i.table];
      if (!table || i.name === POSTGRES_SEARCH_INDEX) continue;
      if (i.primary) table.primaryKey = i.columns;
      else table.indexes[i.name] = { unique: i.unique, columns: i.columns };
    }
    const fks = await client.query<{
      table: string;
      ref: string;
      columns: string[];
      references: string[];
      del: string;
      upd: string;
    }>(
      `SELECT t.relname AS table, r.relname AS ref, ${names("c.conrelid", "c.conkey")}::text[] AS columns,
              ${names("c.confrelid", "c.confkey")}::text[] AS references,
              c.confdeltype::text AS del, c.confupdtype::text AS upd
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND n.nspname = 'public'`,
    );
    for (const f of fks.rows) {
      schema[f.table]?.foreignKeys.push({
        columns: f.columns,
        table: f.ref,
        references: f.references,
        onDelete: PG_ACTIONS[f.del] ?? f.del,
        onUpdate: PG_ACTIONS[f.upd] ?? f.upd,
      });
    }
    const triggers = await client.query<{ trigger_name: string }>(
      "SELECT DISTINCT trigger_name FROM information_schema.triggers WHERE trigger_schema = 'public'",
    );
    return { schema, triggers: triggers.rows.map((r) => r.trigger_name) };
  } finally {
    await client.end();
  }
}

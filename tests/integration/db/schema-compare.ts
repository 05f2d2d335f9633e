/**
 * A database schema reduced to what both providers must agree on (tables, columns with a
 * normalised type class, nullability and default, primary keys, indexes, foreign keys), and the
 * comparison of two such schemas as a list of readable differences.
 */

/** Type classes shared by SQLite's declared types, PostgreSQL's types and Prisma's scalars. */
export type TypeClass =
  | "text"
  | "integer"
  | "bigint"
  | "boolean"
  | "datetime"
  | "float"
  | "decimal"
  | "bytes"
  | "json"
  | `unknown:${string}`;

export interface ColumnShape {
  type: TypeClass;
  nullable: boolean;
  /**
   * The default normalised across providers: `none`, `autoincrement`, the literal's text, or
   * ROWID for a SQLite integer primary key declared AUTOINCREMENT.
   */
  default: string;
}

/**
 * The default of a SQLite `INTEGER PRIMARY KEY AUTOINCREMENT` column. Prisma declares every
 * `Int @id` so, with or without `@default(autoincrement())`: it matches `autoincrement` and `none`.
 */
export const ROWID = "rowid";

function defaultsMatch(a: string, b: string): boolean {
  const rowidLike = (x: string) => x === "autoincrement" || x === "none";
  return a === b || (a === ROWID && rowidLike(b)) || (b === ROWID && rowidLike(a));
}

export interface IndexShape {
  unique: boolean;
  columns: string[];
}

export interface ForeignKeyShape {
  columns: string[];
  table: string;
  references: string[];
  onDelete: string;
  onUpdate: string;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  /** Indexes other than the primary key's, by name. */
  indexes: Record<string, IndexShape>;
  foreignKeys: ForeignKeyShape[];
}

export type SchemaShape = Record<string, TableShape>;

/** The type class of a SQLite declared column type (as Prisma writes them). */
export function sqliteTypeClass(declared: string): TypeClass {
  const t = declared.toUpperCase().replace(/\(.*\)$/, "");
  const map: Record<string, TypeClass> = {
    TEXT: "text",
    INTEGER: "integer",
    BIGINT: "bigint",
    BOOLEAN: "boolean",
    DATETIME: "datetime",
    REAL: "float",
    DECIMAL: "decimal",
    BLOB: "bytes",
    JSONB: "json",
  };
  return map[t] ?? `unknown:${declared}`;
}

/** The type class of a PostgreSQL type (information_schema.columns.data_type). */
export function postgresTypeClass(dataType: string): TypeClass {
  const map: Record<string, TypeClass> = {
    text: "text",
    integer: "integer",
    bigint: "bigint",
    boolean: "boolean",
    "timestamp without time zone": "datetime",
    "timestamp with time zone": "datetime",
    "double precision": "float",
    numeric: "decimal",
    bytea: "bytes",
    jsonb: "json",
  };
  return map[dataType] ?? `unknown:${dataType}`;
}

/**
 * A column default as text both providers write alike: casts (`'x'::text`) and outer parentheses
 * dropped, `nextval(...)` as `autoincrement`, keywords upper case; `none` for no default.
 */
export function normaliseDefault(value: string | null | undefined): string {
  if (value === null || value === undefined) return "none";
  let v = value.trim();
  if (/^nextval\(/i.test(v)) return "autoincrement";
  while (/^\(.*\)$/.test(v)) v = v.slice(1, -1).trim();
  v = v.replace(/::[a-z ]+(\(\d+\))?$/i, "");
  if (/^(current_timestamp|true|false|null)$/i.test(v)) v = v.toUpperCase();
  return v;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function keyed(names: string[]): string {
  return names.join(", ");
}

/**
 * The differences between two schemas, one readable line each (empty when they agree).
 * `names` label the two sides in the messages, e.g. `["sqlite", "postgres"]`.
 */
export function compareSchemas(
  a: SchemaShape,
  b: SchemaShape,
  names: [string, string] = ["a", "b"],
): string[] {
  const [na, nb] = names;
  const out: string[] = [];
  for (const t of Object.keys(a).sort()) if (!b[t]) out.push(`table ${t}: only in ${na}`);
  for (const t of Object.keys(b).sort()) if (!a[t]) out.push(`table ${t}: only in ${nb}`);
  for (const t of Object.keys(a).sort()) {
    const ta = a[t]!;
    const tb = b[t];
    if (!tb) continue;
    for (const c of Object.keys(ta.columns).sort())
      if (!tb.columns[c]) out.push(`${t}.${c}: column only in ${na}`);
    for (const c of Object.keys(tb.columns).sort())
      if (!ta.columns[c]) out.push(`${t}.${c}: column only in ${nb}`);
    for (const c of Object.keys(ta.columns).sort()) {
      const ca = ta.columns[c]!;
      const cb = tb.columns[c];
      if (!cb) continue;
      for (const k of ["type", "nullable"] as const) {
        if (ca[k] !== cb[k]) out.push(`${t}.${c}: ${k} ${na}=${ca[k]} ${nb}=${cb[k]}`);
      }
      if (!defaultsMatch(ca.default, cb.default))
        out.push(`${t}.${c}: default ${na}=${ca.default} ${nb}=${cb.default}`);
    }
    if (!same(ta.primaryKey, tb.primaryKey))
      out.push(`${t}: primary key ${na}=(${keyed(ta.primaryKey)}) ${nb}=(${keyed(tb.primaryKey)})`);
    const indexNames = new Set([...Object.keys(ta.indexes), ...Object.keys(tb.indexes)]);
    for (const i of [...indexNames].sort()) {
      const ia = ta.indexes[i];
      const ib = tb.indexes[i];
      if (!ia || !ib) out.push(`${t}: index ${i} only in ${ia ? na : nb}`);
      else if (!same(ia, ib))
        out.push(
          `${t}: index ${i} ${na}=${ia.unique ? "unique " : ""}(${keyed(ia.columns)}) ` +
            `${nb}=${ib.unique ? "unique " : ""}(${keyed(ib.columns)})`,
        );
    }
    const fk = (f: ForeignKeyShape) =>
      `(${keyed(f.columns)}) → ${f.table}(${keyed(f.references)}) ` +
      `on delete ${f.onDelete} on update ${f.onUpdate}`;
    const fa = ta.foreignKeys.map(fk).sort();
    const fb = tb.foreignKeys.map(fk).sort();
    for (const f of fa) if (!fb.includes(f)) out.push(`${t}: foreign key ${f} only in ${na}`);
    for (const f of fb) if (!fa.includes(f)) out.push(`${t}: foreign key ${f} only in ${nb}`);
  }
  return out;
}

/** Which database a `DATABASE_URL` names: SQLite (`file:`, the embedded default) or PostgreSQL. */
export type DatabaseKind = "sqlite" | "postgres";

/**
 * The database kind of a URL, by its scheme.
 *
 * @throws when the scheme is neither `file:` nor `postgres:`/`postgresql:`
 */
export function databaseKind(url: string): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgres";
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL), got "${url.split(":")[0]}:…"`,
  );
}

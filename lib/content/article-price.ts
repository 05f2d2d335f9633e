import type { Statement } from "better-sqlite3";
import { sqlite } from "@/lib/db/sqlite";

let cached:
  { db: ReturnType<typeof sqlite>; stmt: Statement<[string], { price: string }> } | undefined;

/**
 * The price of the published article with this slug (token base units), or undefined when there
 * is none or it is a draft: one prepared statement on the raw SQLite connection (the proxy asks on
 * every article request). Each call reads the row afresh, so edits apply to the next request.
 */
export function articlePrice(slug: string): bigint | undefined {
  const conn = sqlite();
  if (cached?.db !== conn) {
    cached = {
      db: conn,
      stmt: conn.prepare("SELECT price FROM Article WHERE slug = ? AND published = 1"),
    };
  }
  const row = cached.stmt.get(slug);
  return row ? BigInt(row.price) : undefined;
}

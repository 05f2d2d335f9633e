import { sql } from "@/lib/db/sql";

/**
 * The price of the published article with this slug (token base units), or undefined when there
 * is none or it is a draft: one prepared statement (the proxy asks on every article request).
 * Each call reads the row afresh, so edits apply to the next request, on every instance.
 */
export async function articlePrice(slug: string): Promise<bigint | undefined> {
  const row = await sql().get<{ price: string }>(
    `SELECT "price" FROM "Article" WHERE "slug" = ? AND "published" = TRUE`,
    [slug],
  );
  return row ? BigInt(row.price) : undefined;
}

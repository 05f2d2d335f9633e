import { sql } from "@/lib/db/sql";

/**
 * The price of the published article with this slug (token base units), or undefined when there
 * is none or it is a draft: one prepared statement (the proxy asks on every article request).
 * Each call reads the row afresh, so edits apply to the next request, on every instance.
 */
export async function articlePrice(slug: string): Promise<bigint | undefined> {
  return (await articleGateRow(slug))?.price;
}

/**
 * The price of the published article `slug` and its version (what changes with every edit: the
 * rendered page of another version is never served for it), in the same single read.
 */
export async function articleGateRow(
  slug: string,
): Promise<{ price: bigint; version: string } | undefined> {
  const row = await sql().get<{ price: string; updatedAt: string | number | Date | null }>(
    `SELECT "price", "updatedAt" FROM "Article" WHERE "slug" = ? AND "published" = TRUE`,
    [slug],
  );
  if (!row) return undefined;
  const updated = row.updatedAt instanceof Date ? row.updatedAt.getTime() : row.updatedAt;
  return { price: BigInt(row.price), version: `${row.price}@${updated ?? "-"}` };
}

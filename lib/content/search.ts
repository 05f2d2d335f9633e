/** Full-text search over articles (the FTS5 table ArticleSearch, kept in sync by triggers). */
import { db } from "@/lib/db/client";
import type { Article } from "@/lib/db/generated/client";

const MAX_TERMS = 8;
const MAX_RESULTS = 50;

/**
 * An FTS5 query for user input: each word becomes a quoted prefix term (`"fran"*`), all required.
 * Only letters and digits survive, so no input can reach FTS5's operators (`"`, `*`, `NEAR(`, `-`,
 * `:`, `^`, AND/OR/NOT). Undefined when the input has no words.
 *
 * @example ftsQuery('france "OR* NEAR(') // '"france"* "OR"* "NEAR"*'
 */
export function ftsQuery(input: string): string | undefined {
  const words =
    input
      .normalize("NFKC")
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, MAX_TERMS) ?? [];
  return words.length ? words.map((w) => `"${w}"*`).join(" ") : undefined;
}

/** Published articles matching `input`, best first (FTS5 bm25 rank). */
export async function searchArticles(input: string): Promise<Article[]> {
  const query = ftsQuery(input.slice(0, 200));
  if (!query) return [];
  // Drafts are left out before the limit, so they never take a result's place.
  const hits = await db().$queryRaw<{ slug: string }[]>`
    SELECT s.slug FROM "ArticleSearch" s JOIN "Article" a ON a."id" = s.rowid
    WHERE "ArticleSearch" MATCH ${query} AND a."published" = 1
    ORDER BY s.rank LIMIT ${MAX_RESULTS}`;
  const rows = await db().article.findMany({
    where: { slug: { in: hits.map((h) => h.slug) }, published: true },
  });
  const bySlug = new Map(rows.map((a) => [a.slug, a]));
  return hits.flatMap((h) => bySlug.get(h.slug) ?? []);
}

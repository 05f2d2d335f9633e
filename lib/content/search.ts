/**
 * Full-text search over what every reader sees free of an article: its title, teaser and key
 * facts (and, on PostgreSQL, its slug), never the paid body: a search must not tell which words a
 * paid article contains. On SQLite the FTS5 table ArticleSearch (kept in sync by triggers), on
 * PostgreSQL a GIN index over the same text (migration 20261129000000_search_free_parts). The
 * admin pages' article search is a separate LIKE over title, slug and author.
 */
import { db } from "@/lib/db/client";
import { dbKind } from "@/lib/db/sql";
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

/**
 * The same query for PostgreSQL's `to_tsquery`: each word a prefix term (`fran:*`), all required.
 * Only letters and digits survive, so no input reaches its operators (`&`, `|`, `!`, `<->`, `:`).
 *
 * @example tsQuery("france OR") // "france:* & OR:*"
 */
export function tsQuery(input: string): string | undefined {
  const words =
    input
      .normalize("NFKC")
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, MAX_TERMS) ?? [];
  return words.length ? words.map((w) => `${w}:*`).join(" & ") : undefined;
}

/** Slugs of published articles matching `input`, best first. */
async function searchHits(input: string): Promise<{ slug: string }[]> {
  // Drafts are left out before the limit, so they never take a result's place.
  if (dbKind() === "postgres") {
    const query = tsQuery(input);
    if (!query) return [];
    // The match uses the GIN index's expression (Article_search_idx); the rank weighs the title
    // above the rest (like FTS5's bm25 favours a short column that holds the word) and divides by
    // the length of the text, so an article that names the word in passing ranks lower.
    return db().$queryRaw<{ slug: string }[]>`
      SELECT "slug" FROM "Article"
      WHERE to_tsvector('simple', "slug" || ' ' || "title" || ' ' || "teaser" || ' ' || "infobox")
            @@ to_tsquery('simple', ${query}) AND "published" = TRUE
      ORDER BY ts_rank(
        setweight(to_tsvector('simple', "title"), 'A') ||
          setweight(to_tsvector('simple', "slug" || ' ' || "teaser"), 'B') ||
          setweight(to_tsvector('simple', "infobox"), 'D'),
        to_tsquery('simple', ${query}), 1) DESC, "slug"
      LIMIT ${MAX_RESULTS}`;
  }
  const query = ftsQuery(input);
  if (!query) return [];
  return db().$queryRaw<{ slug: string }[]>`
    SELECT s.slug FROM "ArticleSearch" s JOIN "Article" a ON a."id" = s.rowid
    WHERE "ArticleSearch" MATCH ${query} AND a."published" = 1
    ORDER BY s.rank LIMIT ${MAX_RESULTS}`;
}

/**
 * Published articles whose free parts (title, teaser, key facts) match `input`, best first (FTS5
 * bm25 rank; PostgreSQL's ts_rank). Words found only in the paid body do not match.
 */
export async function searchArticles(input: string): Promise<Article[]> {
  const hits = await searchHits(input.slice(0, 200));
  if (hits.length === 0) return [];
  const rows = await db().article.findMany({
    where: { slug: { in: hits.map((h) => h.slug) }, published: true },
  });
  const bySlug = new Map(rows.map((a) => [a.slug, a]));
  const found = hits.flatMap((h) => bySlug.get(h.slug) ?? []);
  // The article named exactly as searched comes first ("Norway" before "Svalbard", whose facts
  // name Norway more often), on SQLite as on PostgreSQL; the rest keep their rank.
  const wanted = titleKey(input);
  return [
    ...found.filter((a) => titleKey(a.title) === wanted),
    ...found.filter((a) => titleKey(a.title) !== wanted),
  ];
}

/** A title as compared with a search: letters and digits, lower case, single spaces. */
function titleKey(text: string): string {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu)
      ?.join(" ") ?? ""
  );
}

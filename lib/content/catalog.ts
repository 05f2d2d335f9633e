/** The home page's lists: newest, most read (by accepted payments), categories. Drafts never show. */
import { randomInt } from "node:crypto";
import { db } from "@/lib/db/client";
import type { Article } from "@/lib/db/generated/client";

const RESOURCE_PREFIX = "article:";

/** Only published articles are listed anywhere readers look. */
const PUBLISHED = { published: true } as const;

/** The newest articles. */
export function newestArticles(take = 12): Promise<Article[]> {
  return db().article.findMany({
    where: PUBLISHED,
    orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    take,
  });
}

/** Articles per page of the "All articles" list. */
export const ALL_ARTICLES_PAGE_SIZE = 50;

/**
 * One page (from 1) of the published articles by title, of one category when `category` is
 * given, and how many there are in all.
 */
export async function allArticles(
  page: number,
  category?: string,
): Promise<{ articles: Article[]; total: number }> {
  const where = category === undefined ? PUBLISHED : { ...PUBLISHED, category };
  const [articles, total] = await Promise.all([
    db().article.findMany({
      where,
      orderBy: [{ title: "asc" }, { id: "asc" }],
      skip: (page - 1) * ALL_ARTICLES_PAGE_SIZE,
      take: ALL_ARTICLES_PAGE_SIZE,
    }),
    db().article.count({ where }),
  ]);
  return { articles, total };
}

/** The site's own articles (no category), oldest first. */
export function editorialArticles(): Promise<Article[]> {
  return db().article.findMany({ where: { ...PUBLISHED, category: "" }, orderBy: { id: "asc" } });
}

/** Articles with the most accepted payments (Payment rows for `article:<slug>`), with the count. */
export async function mostReadArticles(take = 5): Promise<{ article: Article; reads: number }[]> {
  const counts = await db().payment.groupBy({
    by: ["resource"],
    where: { resource: { startsWith: RESOURCE_PREFIX } },
    _count: { resource: true },
    orderBy: { _count: { resource: "desc" } },
    // Some of the most read may be drafts now: ask for more than needed.
    take: take * 4,
  });
  const slugs = counts.map((c) => c.resource.slice(RESOURCE_PREFIX.length));
  const rows = await db().article.findMany({ where: { ...PUBLISHED, slug: { in: slugs } } });
  const bySlug = new Map(rows.map((a) => [a.slug, a]));
  return counts
    .flatMap((c, i) => {
      const article = bySlug.get(slugs[i]!);
      return article ? [{ article, reads: c._count.resource }] : [];
    })
    .slice(0, take);
}

/** Categories with their article counts, by name ("" — uncategorised — left out). */
export async function articleCategories(): Promise<{ name: string; count: number }[]> {
  const groups = await db().article.groupBy({
    by: ["category"],
    where: { ...PUBLISHED, category: { not: "" } },
    _count: { category: true },
    orderBy: { category: "asc" },
  });
  return groups.map((g) => ({ name: g.category, count: g._count.category }));
}

/** A category name for display: "east-n-southeast-asia" → "East & Southeast Asia". */
export function categoryLabel(name: string): string {
  return name
    .split("-")
    .map((w) => (w === "n" ? "&" : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(" ");
}

/** The median article price (token base units): the basis of a reader's default deposit. */
export async function typicalArticlePrice(): Promise<bigint> {
  const rows = await db().article.findMany({ where: PUBLISHED, select: { price: true } });
  const prices = rows.map((r) => BigInt(r.price)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return prices[Math.floor(prices.length / 2)] ?? 0n;
}

/**
 * The slug of a published article drawn at random (each equally likely), or undefined when there
 * is none. `random` picks an index below its argument (tests pass their own).
 */
export async function randomArticleSlug(
  random: (below: number) => number = (below) => randomInt(below),
): Promise<string | undefined> {
  // An article unpublished between the count and the read leaves the index past the end: draw again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const count = await db().article.count({ where: PUBLISHED });
    if (count === 0) return undefined;
    const row = await db().article.findFirst({
      where: PUBLISHED,
      orderBy: { id: "asc" },
      skip: random(count),
      select: { slug: true },
    });
    if (row) return row.slug;
  }
  return undefined;
}

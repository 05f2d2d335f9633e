/**
 * Revenue per article, per author and per other resource (media, upstream), with the 402 → paid
 * conversion of each article: of the readers who saw its paywall or paid, those who paid
 * (lib/paywall/reader-marks.ts). The aggregations are pure functions of plain arrays; one loader
 * reads the database (`loadRevenueData` in lib/admin/revenue-data.ts).
 */
import { conversionOf, type ReaderFact } from "@/lib/paywall/reader-marks";
import type { PaymentFact } from "./revenue-series";

export type { PaymentFact } from "./revenue-series";
export { conversionOf, type ReaderFact } from "@/lib/paywall/reader-marks";

/** An article as the revenue figures need it. */
export interface ArticleFact {
  slug: string;
  title: string;
  author: string;
}

/** The revenue of one article. */
export interface ArticleRevenue {
  slug: string;
  title: string;
  author: string;
  /** Paid reads. */
  payments: number;
  /** Token base units. */
  revenue: bigint;
  /** Share of all revenue, 0–1 (0 when there is none). */
  share: number;
  /** Readers who saw the article's paywall or paid for it, each counted once. */
  readers: number;
  /** Of them, the readers who paid. */
  paidReaders: number;
  /** Paid readers ÷ readers; null when there are none. */
  conversion: number | null;
}

/** The revenue of one author. */
export interface AuthorRevenue {
  author: string;
  /** The author's articles in the catalogue. */
  articles: number;
  payments: number;
  revenue: bigint;
}

/** Kinds of resources other than articles. */
export type OtherKind = "media" | "upstream" | "removed article" | "other";

/** The revenue of a resource that is not a current article. */
export interface OtherRevenue {
  resource: string;
  kind: OtherKind;
  payments: number;
  revenue: bigint;
  share: number;
}

/** Everything the revenue tables show. */
export interface RevenueBreakdown {
  total: bigint;
  payments: number;
  articles: ArticleRevenue[];
  authors: AuthorRevenue[];
  other: OtherRevenue[];
}

const ARTICLE_PREFIX = "article:";

/** Share of `part` in `total` as a number 0–1, computed in bigint (to 1e-6). */
export function shareOf(part: bigint, total: bigint): number {
  return total === 0n ? 0 : Number((part * 1_000_000n) / total) / 1_000_000;
}

function kindOf(resource: string): OtherKind {
  if (resource.startsWith("media:")) return "media";
  if (resource.startsWith("upstream:")) return "upstream";
  if (resource.startsWith(ARTICLE_PREFIX)) return "removed article";
  return "other";
}

const byRevenue = <T extends { revenue: bigint }>(a: T, b: T) =>
  a.revenue === b.revenue ? 0 : a.revenue > b.revenue ? -1 : 1;

/**
 * Groups payments per article, per author and per other resource. Every article of `articles`
 * gets a row (0 when unpaid); payments for resources that are not a current article (media,
 * upstream, removed articles) are listed under `other`. Authors are grouped by their name with
 * surrounding blanks removed.
 */
export function revenueBreakdown(
  payments: readonly PaymentFact[],
  articles: readonly ArticleFact[],
  readers: readonly ReaderFact[] = [],
): RevenueBreakdown {
  const perResource = new Map<string, { payments: number; revenue: bigint }>();
  let total = 0n;
  for (const p of payments) {
    const r = perResource.get(p.resource) ?? { payments: 0, revenue: 0n };
    r.payments += 1;
    r.revenue += p.amount;
    perResource.set(p.resource, r);
    total += p.amount;
  }
  const readersOf = new Map(readers.map((r) => [r.resource, r]));

  const articleRows: ArticleRevenue[] = articles.map((a) => {
    const resource = `${ARTICLE_PREFIX}${a.slug}`;
    const r = perResource.get(resource) ?? { payments: 0, revenue: 0n };
    const seen = readersOf.get(resource) ?? { readers: 0, paid: 0 };
    return {
      slug: a.slug,
      title: a.title,
      author: a.author.trim(),
      payments: r.payments,
      revenue: r.revenue,
      share: shareOf(r.revenue, total),
      readers: seen.readers,
      paidReaders: seen.paid,
      conversion: conversionOf(seen.paid, seen.readers),
    };
  });
  articleRows.sort((a, b) => byRevenue(a, b) || a.title.localeCompare(b.title));

  const authors = new Map<string, AuthorRevenue>();
  for (const a of articleRows) {
    const row = authors.get(a.author) ?? {
      author: a.author,
      articles: 0,
      payments: 0,
      revenue: 0n,
    };
    row.articles += 1;
    row.payments += a.payments;
    row.revenue += a.revenue;
    authors.set(a.author, row);
  }
  const authorRows = [...authors.values()].sort(
    (a, b) => byRevenue(a, b) || a.author.localeCompare(b.author),
  );

  const known = new Set(articles.map((a) => `${ARTICLE_PREFIX}${a.slug}`));
  const other: OtherRevenue[] = [...perResource]
    .filter(([resource]) => !known.has(resource))
    .map(([resource, r]) => ({
      resource,
      kind: kindOf(resource),
      payments: r.payments,
      revenue: r.revenue,
      share: shareOf(r.revenue, total),
    }))
    .sort((a, b) => byRevenue(a, b) || a.resource.localeCompare(b.resource));

  return { total, payments: payments.length, articles: articleRows, authors: authorRows, other };
}

/**
 * The one database read behind the revenue figures: payments of a period, the catalogue's
 * articles (slug, title, author) and the 402 counts. Everything else is computed by the pure
 * functions of lib/admin/revenue.ts and lib/admin/revenue-series.ts.
 */
import { storedDate } from "@/lib/api/payments";
import { sqlite } from "@/lib/db/sqlite";
import type { ArticleFact, ChallengeFact } from "./revenue";
import type { PaymentFact } from "./revenue-series";

/** What the revenue figures are computed from. */
export interface RevenueData {
  payments: PaymentFact[];
  articles: ArticleFact[];
  challenges: ChallengeFact[];
}

const DAY_MS = 86_400_000;

/**
 * Reads the payments made in [from, to) (all of them without a range), every article and every
 * 402 count. Payment times are stored either as ISO text or as unix milliseconds, so SQLite only
 * narrows the rows (with a day of margin on ISO text) and the exact range is applied here.
 */
export function loadRevenueData(range?: { from: Date; to: Date }): RevenueData {
  const conn = sqlite();
  type Row = { resource: string; amount: string; createdAt: string | number };
  const rows = range
    ? conn
        .prepare<[string, string, number, number], Row>(
          `SELECT resource, amount, createdAt FROM Payment
            WHERE CASE WHEN typeof(createdAt) = 'text' AND createdAt GLOB '[0-9][0-9][0-9][0-9]-*'
                       THEN createdAt >= ? AND createdAt < ?
                       ELSE CAST(createdAt AS INTEGER) >= ? AND CAST(createdAt AS INTEGER) < ?
                  END`,
        )
        .all(
          new Date(range.from.getTime() - DAY_MS).toISOString().slice(0, 10),
          new Date(range.to.getTime() + DAY_MS).toISOString().slice(0, 10),
          range.from.getTime(),
          range.to.getTime(),
        )
    : conn.prepare<[], Row>(`SELECT resource, amount, createdAt FROM Payment`).all();
  const payments: PaymentFact[] = [];
  for (const r of rows) {
    const createdAt = storedDate(r.createdAt);
    const t = createdAt.getTime();
    if (range && (t < range.from.getTime() || t >= range.to.getTime())) continue;
    payments.push({ resource: r.resource, amount: BigInt(r.amount), createdAt });
  }
  const articles = conn
    .prepare<[], ArticleFact>(`SELECT slug, title, author FROM Article ORDER BY slug`)
    .all();
  const challenges = conn
    .prepare<[], ChallengeFact>(`SELECT resource, count FROM ResourceChallenge`)
    .all();
  return { payments, articles, challenges };
}

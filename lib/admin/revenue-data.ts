/**
 * The one database read behind the revenue figures: payments of a period (channel payments and
 * one-off payments such as x402 `exact`), the catalogue's articles (slug, title, author) and the
 * readers per resource. Everything else is computed by the pure functions of lib/admin/revenue.ts
 * and lib/admin/revenue-series.ts.
 */
import { storedDate } from "@/lib/api/payments";
import { sql } from "@/lib/db/sql";
import { readerTotals, type ReaderFact } from "@/lib/paywall/reader-marks";
import type { ArticleFact } from "./revenue";
import type { PaymentFact } from "./revenue-series";

/** What the revenue figures are computed from. */
export interface RevenueData {
  payments: PaymentFact[];
  articles: ArticleFact[];
  /** Readers per resource, all time (`ResourceReader`). */
  readers: ReaderFact[];
}

/**
 * Readers per resource: the rows of `ResourceReader` grouped by resource and by whether they
 * paid (PostgreSQL returns counts as text, and the flag as a boolean where SQLite has 0 or 1).
 */
async function loadReaders(): Promise<ReaderFact[]> {
  type Row = { resource: string; paid: boolean | number; readers: number | string };
  const rows = await sql().all<Row>(
    `SELECT "resource", "paidAt" IS NOT NULL AS "paid", COUNT(*) AS "readers"
       FROM "ResourceReader" GROUP BY "resource", "paidAt" IS NOT NULL`,
  );
  return readerTotals(
    rows.map((r) => ({ resource: r.resource, paid: Boolean(r.paid), readers: Number(r.readers) })),
  );
}

const DAY_MS = 86_400_000;

/**
 * Reads the payments made in [from, to) (all of them without a range), every article and the
 * readers of every resource (all time). On SQLite payment times are stored either as ISO text or as unix milliseconds, so
 * the query only narrows the rows (with a day of margin on ISO text) and the exact range is
 * applied here; PostgreSQL stores timestamps.
 */
export async function loadRevenueData(range?: { from: Date; to: Date }): Promise<RevenueData> {
  type Row = { resource: string; amount: string; createdAt: string | number };
  const db = sql();
  // Channel payments and one-off payments (x402 exact) alike.
  const PAID = `(SELECT "resource", "amount", "createdAt" FROM "Payment"
      UNION ALL SELECT "resource", "amount", "createdAt" FROM "OneOffPayment") AS "paid"`;
  let rows: Row[];
  if (!range) {
    rows = await db.all<Row>(`SELECT "resource", "amount", "createdAt" FROM ${PAID}`);
  } else if (db.kind === "postgres") {
    rows = await db.all<Row>(
      `SELECT "resource", "amount", "createdAt" FROM ${PAID}
        WHERE "createdAt" >= ? AND "createdAt" < ?`,
      [range.from.toISOString(), range.to.toISOString()],
    );
  } else {
    rows = await db.all<Row>(
      `SELECT "resource", "amount", "createdAt" FROM ${PAID}
        WHERE CASE WHEN typeof("createdAt") = 'text' AND "createdAt" GLOB '[0-9][0-9][0-9][0-9]-*'
                   THEN "createdAt" >= ? AND "createdAt" < ?
                   ELSE CAST("createdAt" AS INTEGER) >= ? AND CAST("createdAt" AS INTEGER) < ?
              END`,
      [
        new Date(range.from.getTime() - DAY_MS).toISOString().slice(0, 10),
        new Date(range.to.getTime() + DAY_MS).toISOString().slice(0, 10),
        range.from.getTime(),
        range.to.getTime(),
      ],
    );
  }
  const payments: PaymentFact[] = [];
  for (const r of rows) {
    const createdAt = storedDate(r.createdAt);
    const t = createdAt.getTime();
    if (range && (t < range.from.getTime() || t >= range.to.getTime())) continue;
    payments.push({ resource: r.resource, amount: BigInt(r.amount), createdAt });
  }
  const [articles, readers] = await Promise.all([
    db.all<ArticleFact>(`SELECT "slug", "title", "author" FROM "Article" ORDER BY "slug"`),
    loadReaders(),
  ]);
  return { payments, articles, readers };
}

import type { Metadata } from "next";
import { AuthorsPeriodForm } from "@/components/admin/authors/authors-period-form";
import { AuthorsTable } from "@/components/admin/authors/authors-table";
import { revenueBreakdown } from "@/lib/admin/revenue";
import { loadRevenueData } from "@/lib/admin/revenue-data";
import { revenuePeriodSchema, thisMonthSoFar } from "@/lib/admin/revenue-period";
import { requireOperatorPage } from "@/lib/auth/server";
import { displayUnit } from "@/lib/chain/token-info";

export const metadata: Metadata = { title: "Authors' revenue" };

type Query = { from?: string | string[]; to?: string | string[] };

/** A single, non-empty query value. */
const one = (v: string | string[] | undefined) =>
  typeof v === "string" && v !== "" ? v : undefined;

// GET /admin/authors — the authors' revenue of a period (?from=&to=, UTC days, `to` excluded)
export default async function AuthorsPage({ searchParams }: { searchParams: Promise<Query> }) {
  await requireOperatorPage("/admin/authors");
  const q = await searchParams;
  const parsed = revenuePeriodSchema.safeParse({ from: one(q.from), to: one(q.to) });
  const fallback = thisMonthSoFar();
  const period = parsed.success
    ? parsed.data
    : revenuePeriodSchema.parse({ from: fallback.from, to: fallback.to });
  const error = parsed.success
    ? undefined
    : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");

  const data = await loadRevenueData({ from: period.from, to: period.to });
  const { authors } = revenueBreakdown(data.payments, data.articles);
  const csvHref = `/admin/authors/export?${new URLSearchParams({ from: period.fromDay, to: period.toDay })}`;

  return (
    <>
      <h1>Authors&apos; revenue</h1>
      <section className="admin-card" aria-labelledby="period-heading">
        <h2 id="period-heading">Period</h2>
        {error && (
          <p className="admin-error" role="alert" data-testid="authors-error">
            {error} — showing this month so far instead.
          </p>
        )}
        <AuthorsPeriodForm from={period.fromDay} to={period.toDay} />
        <p className="muted">
          Payments accepted from {period.fromDay} 00:00 UTC until {period.toDay} 00:00 UTC.
        </p>
      </section>
      <AuthorsTable authors={authors} csvHref={csvHref} place="period" unit={await displayUnit()} />
    </>
  );
}

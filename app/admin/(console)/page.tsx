import type { Metadata } from "next";
import { AuthorsTable } from "@/components/admin/authors/authors-table";
import { AlertList } from "@/components/admin/dashboard/alert-list";
import { IndexerStatus } from "@/components/admin/dashboard/indexer-status";
import { PeriodLinks } from "@/components/admin/dashboard/period-links";
import { RelayGas } from "@/components/admin/dashboard/relay-gas";
import { RevenueChart } from "@/components/admin/dashboard/revenue-chart-client";
import { RevenueSeriesTable } from "@/components/admin/dashboard/revenue-series-table";
import { RevenueArticlesTable } from "@/components/admin/dashboard/revenue-tables";
import { StatFigures } from "@/components/admin/dashboard/stat-figures";
import { loadDashboard } from "@/lib/admin/dashboard";
import { loadRelayGas } from "@/lib/admin/relay-gas";
import { revenueBreakdown } from "@/lib/admin/revenue";
import { loadRevenueData } from "@/lib/admin/revenue-data";
import {
  PERIODS,
  revenueSeries,
  seriesRange,
  SERIES_LENGTH,
  type Period,
} from "@/lib/admin/revenue-series";
import { requireOperatorPage } from "@/lib/auth/server";
import { formatToken } from "@/lib/format";
import "@/components/admin/dashboard/dashboard.css";

export const metadata: Metadata = { title: "Dashboard" };

const PERIOD_NAMES: Record<Period, string> = { day: "days", week: "ISO weeks", month: "months" };

// GET /admin — the operator's dashboard: figures, indexer, alerts and revenue (?period=day|week|month)
export default async function DashboardPage({
  searchParams,
}: {
  searchParams: Promise<{ period?: string | string[] }>;
}) {
  await requireOperatorPage("/admin");
  const { period: asked } = await searchParams;
  const period = PERIODS.find((p) => p === asked) ?? "day";
  const now = new Date();
  const range = seriesRange(period, now);
  const [dashboard, data] = await Promise.all([loadDashboard(now), loadRevenueData()]);
  const { unit } = dashboard;
  const series = revenueSeries(data.payments, period, range);
  const breakdown = revenueBreakdown(data.payments, data.articles, data.readers);
  const shown = breakdown.articles.filter((a) => a.payments > 0 || a.readers > 0);

  return (
    <>
      <h1>Dashboard</h1>
      <AlertList alerts={dashboard.alerts} />
      <StatFigures stats={dashboard.stats} unit={unit} />
      <IndexerStatus indexer={dashboard.indexer} />
      <RelayGas figures={await loadRelayGas(now).catch(() => null)} />
      <section className="admin-card" aria-labelledby="revenue-heading">
        <h2 id="revenue-heading">Revenue</h2>
        <p>
          All time:{" "}
          <strong data-testid="revenue-total">{formatToken(breakdown.total, unit)}</strong> from{" "}
          {breakdown.payments} payments.
        </p>
        <PeriodLinks current={period} />
        <div data-testid="revenue-chart">
          <RevenueChart points={series} unit={unit} />
        </div>
        <RevenueSeriesTable
          points={series}
          unit={unit}
          caption={`Revenue of the last ${SERIES_LENGTH[period]} ${PERIOD_NAMES[period]} (UTC)`}
        />
      </section>
      <RevenueArticlesTable
        articles={shown}
        other={breakdown.other}
        hidden={breakdown.articles.length - shown.length}
        unit={unit}
      />
      <AuthorsTable authors={breakdown.authors} place="dashboard" unit={unit} />
    </>
  );
}

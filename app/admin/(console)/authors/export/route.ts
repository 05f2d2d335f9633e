import { authorsCsv } from "@/lib/admin/revenue-csv";
import { revenueBreakdown } from "@/lib/admin/revenue";
import { loadRevenueData } from "@/lib/admin/revenue-data";
import { revenuePeriodSchema } from "@/lib/admin/revenue-period";
import { apiRoute } from "@/lib/api/route";
import { tokenUnit } from "@/lib/chain/token-info";

export const dynamic = "force-dynamic";

// GET /admin/authors/export?from=YYYY-MM-DD&to=YYYY-MM-DD — the authors' revenue as CSV (operator)
export const GET = apiRoute({ auth: "operator", query: revenuePeriodSchema }, async ({ query }) => {
  const data = await loadRevenueData({ from: query.from, to: query.to });
  const { authors } = revenueBreakdown(data.payments, data.articles);
  return new Response(authorsCsv(authors, await tokenUnit()), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": `attachment; filename="authors-revenue-${query.fromDay}-${query.toDay}.csv"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});

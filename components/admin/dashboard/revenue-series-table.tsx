import { formatToken, type TokenUnit } from "@/lib/format";
import type { SeriesPointProps } from "./types";

/** The revenue series as a table: the chart's figures, exact, for people and tests. */
export function RevenueSeriesTable({
  points,
  caption,
  unit,
}: {
  points: readonly SeriesPointProps[];
  caption: string;
  unit: TokenUnit;
}) {
  return (
    <div className="dashboard-series">
      <table className="admin-table" data-testid="revenue-series">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            <th scope="col" className="num">
              Payments
            </th>
            <th scope="col" className="num">
              Revenue
            </th>
          </tr>
        </thead>
        <tbody>
          {points.map((p) => (
            <tr key={p.label} data-testid="revenue-point">
              <th scope="row" data-testid="revenue-point-label">
                {p.label}
              </th>
              <td className="num">{p.payments}</td>
              <td
                className="num"
                data-testid="revenue-point-amount"
                data-amount={p.amount.toString()}
              >
                {formatToken(p.amount, unit)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

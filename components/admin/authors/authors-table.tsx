import { formatToken, type TokenUnit } from "@/lib/format";
import "./authors.css";

/** One author's revenue. */
export interface AuthorRowProps {
  author: string;
  articles: number;
  payments: number;
  revenue: bigint;
}

/** Test ids of the two places the table stands: the dashboard (all time) and a chosen period. */
const IDS = {
  dashboard: { table: "revenue-authors", row: "revenue-author" },
  period: { table: "authors-table", row: "author-row" },
} as const;

/**
 * Revenue per author: on the dashboard (all time), or for a chosen period with its total and the
 * CSV download link.
 */
export function AuthorsTable({
  authors,
  csvHref,
  place,
  unit,
}: {
  authors: readonly AuthorRowProps[];
  /** The CSV of the same figures (the period page). */
  csvHref?: string;
  place: keyof typeof IDS;
  unit: TokenUnit;
}) {
  const ids = IDS[place];
  const total = authors.reduce((sum, a) => sum + a.revenue, 0n);
  const headingId = `${ids.table}-heading`;
  return (
    <section className="admin-card" aria-labelledby={headingId}>
      <div className="admin-toolbar authors-head">
        <h2 id={headingId}>Revenue per author</h2>
        {csvHref && (
          <a className="admin-button" href={csvHref} download data-testid="authors-csv">
            Download CSV
          </a>
        )}
      </div>
      <table className="admin-table" data-testid={ids.table}>
        <thead>
          <tr>
            <th scope="col">Author</th>
            <th scope="col" className="num">
              Articles
            </th>
            <th scope="col" className="num">
              Paid reads
            </th>
            <th scope="col" className="num">
              Revenue
            </th>
          </tr>
        </thead>
        <tbody>
          {authors.map((a) => (
            <tr key={a.author} data-testid={ids.row}>
              <th scope="row" data-testid="author-name">
                {a.author}
              </th>
              <td className="num">{a.articles}</td>
              <td className="num">{a.payments}</td>
              <td className="num" data-testid="author-revenue" data-amount={a.revenue.toString()}>
                {formatToken(a.revenue, unit)}
              </td>
            </tr>
          ))}
          {authors.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No articles yet.
              </td>
            </tr>
          )}
        </tbody>
        {place === "period" && (
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td />
              <td className="num">{authors.reduce((n, a) => n + a.payments, 0)}</td>
              <td className="num" data-testid="authors-total" data-amount={total.toString()}>
                {formatToken(total, unit)}
              </td>
            </tr>
          </tfoot>
        )}
      </table>
    </section>
  );
}

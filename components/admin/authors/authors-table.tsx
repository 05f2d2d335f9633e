import { formatToken } from "@/lib/format";
import "./authors.css";

/** One author's revenue in the chosen period. */
export interface AuthorRowProps {
  author: string;
  articles: number;
  payments: number;
  revenue: bigint;
}

/** The authors' revenue of a period, with the total and the CSV download link. */
export function AuthorsTable({
  authors,
  csvHref,
}: {
  authors: readonly AuthorRowProps[];
  csvHref: string;
}) {
  const total = authors.reduce((sum, a) => sum + a.revenue, 0n);
  return (
    <section className="admin-card" aria-labelledby="authors-table-heading">
      <div className="admin-toolbar authors-head">
        <h2 id="authors-table-heading">Revenue per author</h2>
        <a className="admin-button" href={csvHref} download data-testid="authors-csv">
          Download CSV
        </a>
      </div>
      <table className="admin-table" data-testid="authors-table">
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
            <tr key={a.author} data-testid="author-row">
              <th scope="row" data-testid="author-name">
                {a.author}
              </th>
              <td className="num">{a.articles}</td>
              <td className="num">{a.payments}</td>
              <td className="num" data-testid="author-revenue" data-amount={a.revenue.toString()}>
                {formatToken(a.revenue)}
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
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td />
            <td className="num">{authors.reduce((n, a) => n + a.payments, 0)}</td>
            <td className="num" data-testid="authors-total" data-amount={total.toString()}>
              {formatToken(total)}
            </td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

import { formatToken, type TokenUnit } from "@/lib/format";
import {
  formatConversion,
  formatShare,
  type ArticleRevenueProps,
  type OtherRevenueProps,
} from "./types";

/**
 * Revenue per article with its 402 → paid conversion, then the other paid resources (media,
 * upstream, removed articles), labelled as such.
 */
export function RevenueArticlesTable({
  articles,
  other,
  hidden,
  unit,
}: {
  articles: readonly ArticleRevenueProps[];
  other: readonly OtherRevenueProps[];
  /** Articles left out because nobody paid for them or was asked to. */
  hidden: number;
  unit: TokenUnit;
}) {
  return (
    <section className="admin-card" aria-labelledby="articles-revenue-heading">
      <h2 id="articles-revenue-heading">Revenue per article</h2>
      <table className="admin-table" data-testid="revenue-articles">
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Author</th>
            <th scope="col" className="num">
              Paid reads
            </th>
            <th scope="col" className="num">
              Revenue
            </th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col" className="num" title="Paid reads ÷ answers with 402">
              402 → paid
            </th>
          </tr>
        </thead>
        <tbody>
          {articles.map((a) => (
            <tr key={a.slug} data-testid={`revenue-article-${a.slug}`}>
              <th scope="row">
                <a href={`/articles/${a.slug}`}>{a.title}</a>
              </th>
              <td>{a.author}</td>
              <td className="num">{a.payments}</td>
              <td
                className="num"
                data-testid="revenue-article-amount"
                data-amount={a.revenue.toString()}
              >
                {formatToken(a.revenue, unit)}
              </td>
              <td className="num">{formatShare(a.share)}</td>
              <td
                className="num"
                data-testid={`conversion-${a.slug}`}
                title={`${a.payments} paid / ${a.challenges} × 402`}
              >
                {formatConversion(a.conversion)}
              </td>
            </tr>
          ))}
          {other.map((o) => (
            <tr key={o.resource} data-testid="revenue-other">
              <th scope="row">
                <code>{o.resource}</code>
              </th>
              <td>
                <span className="admin-badge">{o.kind}</span>
              </td>
              <td className="num">{o.payments}</td>
              <td className="num" data-amount={o.revenue.toString()}>
                {formatToken(o.revenue, unit)}
              </td>
              <td className="num">{formatShare(o.share)}</td>
              <td className="num">—</td>
            </tr>
          ))}
          {articles.length + other.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No payments and no 402 answers yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {hidden > 0 && (
        <p className="muted">
          {hidden} more {hidden === 1 ? "article has" : "articles have"} neither paid reads nor 402
          answers.
        </p>
      )}
    </section>
  );
}

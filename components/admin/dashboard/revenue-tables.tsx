import { formatToken, type TokenUnit } from "@/lib/format";
import {
  formatConversion,
  formatShare,
  type ArticleRevenueProps,
  type OtherRevenueProps,
} from "./types";

/**
 * Revenue per article with its conversion (of the readers who saw its paywall or paid, those who
 * paid), then the other paid resources (media, upstream, removed articles), labelled as such.
 */
export function RevenueArticlesTable({
  articles,
  other,
  hidden,
  unit,
}: {
  articles: readonly ArticleRevenueProps[];
  other: readonly OtherRevenueProps[];
  /** Articles left out because no reader paid for them or was asked to. */
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
            <th
              scope="col"
              className="num"
              title="Readers who saw the paywall and paid ÷ readers who saw the paywall or paid; each reader counted once"
            >
              Readers who paid
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
                title={`${a.paidReaders} of ${a.readers} ${a.readers === 1 ? "reader" : "readers"} paid`}
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
                No payments and no readers asked to pay yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <p className="muted" data-testid="conversion-explained">
        Readers who paid: of the readers who saw an article&apos;s paywall or paid for it, the share
        who paid. Each reader (a browser, or a program by its address and User-Agent) counts once
        per article however often they come back; prefetches and reads paid earlier do not count.
      </p>
      {hidden > 0 && (
        <p className="muted">
          {hidden} more {hidden === 1 ? "article has" : "articles have"} neither paid reads nor
          readers asked to pay.
        </p>
      )}
    </section>
  );
}

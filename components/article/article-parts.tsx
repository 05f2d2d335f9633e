/** The parts of an article page every reader sees: header, teaser, key facts, schema.org data. */
import Link from "next/link";
import type { ReactNode } from "react";
import { categoryLabel } from "@/lib/content/catalog";
import type { ArticleRecord } from "@/lib/content/articles";
import { formatToken, jsonForScript, type TokenUnit } from "@/lib/format";

/** Title, author, category and price. */
export function ArticleHeader({ article, unit }: { article: ArticleRecord; unit: TokenUnit }) {
  return (
    <>
      <h1>{article.title}</h1>
      <p className="muted">
        by {article.author}
        {article.category && (
          <>
            {" · "}
            <Link href={`/?category=${encodeURIComponent(article.category)}`}>
              {categoryLabel(article.category)}
            </Link>
          </>
        )}
        {" · "}
        <span className="price">{formatToken(article.price, unit)}</span>
      </p>
    </>
  );
}

/** The free teaser (indexable). */
export function ArticleTeaser({ article }: { article: ArticleRecord }) {
  return (
    <p className="teaser" data-testid="article-teaser">
      <em>{article.teaser}</em>
    </p>
  );
}

/** Key facts, free beside the teaser. */
export function Infobox({ article }: { article: ArticleRecord }) {
  const rows = Object.entries(article.infobox);
  if (rows.length === 0) return null;
  return (
    <aside className="infobox">
      <h2>Key facts</h2>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </aside>
  );
}

/**
 * schema.org markup for a paywalled article (Google's "subscription and paywalled content"): the
 * paid part is the element with class `paywalled`.
 */
export function ArticleJsonLd({ article }: { article: ArticleRecord }) {
  const data = {
    "@context": "https://schema.org",
    "@type": "Article",
    headline: article.title,
    description: article.teaser,
    author: { "@type": "Organization", name: article.author },
    isAccessibleForFree: article.price === 0n,
    hasPart: {
      "@type": "WebPageElement",
      isAccessibleForFree: article.price === 0n,
      cssSelector: ".paywalled",
    },
  };
  return (
    <script
      type="application/ld+json"
      // A data block, never executed; jsonForScript escapes `<`.
      dangerouslySetInnerHTML={{ __html: jsonForScript(data) }}
    />
  );
}

/**
 * An article page: the free parts, then either the paid body (sanitised HTML, only ever passed by
 * the article page with the proxy's verdict) or `children` (the paywall).
 */
export function ArticleView({
  article,
  unit,
  bodyHtml,
  children,
}: {
  article: ArticleRecord;
  /** The token's unit, for the price. */
  unit: TokenUnit;
  bodyHtml?: string;
  children?: ReactNode;
}) {
  return (
    <article>
      <ArticleJsonLd article={article} />
      <ArticleHeader article={article} unit={unit} />
      <ArticleTeaser article={article} />
      <Infobox article={article} />
      {bodyHtml !== undefined ? (
        <div
          className="article-body paywalled"
          data-testid="article-body"
          dangerouslySetInnerHTML={{ __html: bodyHtml }}
        />
      ) : (
        children
      )}
    </article>
  );
}

/**
 * The paywall box: the price, why payment is required, the paying UI as `children`, and the 402's
 * RDN-* headers as a JSON block (`#rdn-paywall`) for scripts that read the page.
 */
export function PaywallSection({
  price,
  unit,
  reason,
  terms,
  children,
}: {
  price: bigint;
  unit: TokenUnit;
  reason: string;
  terms?: Record<string, string>;
  children?: ReactNode;
}) {
  return (
    <section className="paywall paywalled" data-testid="paywall" data-price={price.toString()}>
      <h2>Payment required: {formatToken(price, unit)}</h2>
      <p>{reason}</p>
      {children}
      {terms && (
        <script
          type="application/json"
          id="rdn-paywall"
          dangerouslySetInnerHTML={{ __html: jsonForScript(terms) }}
        />
      )}
    </section>
  );
}

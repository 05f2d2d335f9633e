/** The parts of an article page every reader sees: header, teaser, key facts, schema.org data. */
import Link from "next/link";
import type { ReactNode } from "react";
import { categoryLabel } from "@/lib/content/catalog";
import { opensWithTeaser } from "@/lib/content/headings";
import type { ArticleRecord } from "@/lib/content/articles";
import { formatToken, jsonForScript, type TokenUnit } from "@/lib/format";

/** Title, author, category and price. */
export function ArticleHeader({ article, unit }: { article: ArticleRecord; unit: TokenUnit }) {
  return (
    <header className="article-header">
      <h1>{article.title}</h1>
      <p className="muted byline">
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
    </header>
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

/** Key facts, free beside the teaser: the article's side box (an encyclopedia's infobox). */
export function Infobox({ article }: { article: ArticleRecord }) {
  const rows = Object.entries(article.infobox);
  if (rows.length === 0) return null;
  return (
    <aside className="infobox" data-testid="infobox" aria-labelledby="infobox-title">
      <p className="infobox-name">{article.title}</p>
      <h2 id="infobox-title">Key facts</h2>
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
 * The article's section headings, shown before payment so the reader sees what the article covers
 * (only the headings of the paid body: lib/content/headings.ts).
 */
export function ArticleContents({ headings }: { headings: readonly string[] }) {
  if (headings.length === 0) return null;
  return (
    <section
      className="article-contents"
      data-testid="article-contents"
      aria-labelledby="article-contents-title"
    >
      <h2 id="article-contents-title">In this article</h2>
      <ol>
        {headings.map((h, i) => (
          <li key={i}>{h}</li>
        ))}
      </ol>
    </section>
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
 * the article page with the proxy's verdict) or the article's section headings and `children`
 * (the paywall). Wide screens show the key facts beside the text; narrow ones between the teaser
 * and the paid text, or after the paywall.
 */
export function ArticleView({
  article,
  unit,
  bodyHtml,
  contents = [],
  children,
}: {
  article: ArticleRecord;
  /** The token's unit, for the price. */
  unit: TokenUnit;
  bodyHtml?: string;
  /** The section headings listed before payment (the paywall page's). */
  contents?: readonly string[];
  children?: ReactNode;
}) {
  const layout = [
    "article-layout",
    Object.keys(article.infobox).length > 0 && "with-facts",
    // A narrow screen shows the paywall before the key facts, the paid text after them.
    bodyHtml === undefined && "with-paywall",
  ];
  return (
    <article className="article-page wide-page">
      <ArticleJsonLd article={article} />
      <ArticleHeader article={article} unit={unit} />
      <div className={layout.filter(Boolean).join(" ")}>
        <div className="article-lead">
          {/* The paid text already opens with the teaser's words (a Factbook profile): once. */}
          {bodyHtml === undefined || !opensWithTeaser(article.body, article.teaser) ? (
            <ArticleTeaser article={article} />
          ) : null}
        </div>
        <Infobox article={article} />
        <div className="article-main">
          {bodyHtml !== undefined ? (
            <div
              className="article-body paywalled"
              data-testid="article-body"
              dangerouslySetInnerHTML={{ __html: bodyHtml }}
            />
          ) : (
            <>
              <ArticleContents headings={contents} />
              {children}
            </>
          )}
        </div>
      </div>
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

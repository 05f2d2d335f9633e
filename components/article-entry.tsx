import Link from "next/link";
import { formatToken, type TokenUnit } from "@/lib/format";

export interface ArticleEntryProps {
  article: { slug: string; title: string; author: string; teaser: string; price: string };
  /** Accepted payments, shown in the "most read" list. */
  reads?: number;
  /** The token's unit, for the price. */
  unit: TokenUnit;
}

/** One article in a list (an index entry, not a card): title (link), price, teaser, author. */
export function ArticleEntry({ article, reads, unit }: ArticleEntryProps) {
  return (
    <li className="article-entry">
      <p className="entry-title">
        <Link href={`/articles/${article.slug}`}>{article.title}</Link>{" "}
        <span className="price">{formatToken(article.price, unit)}</span>
      </p>
      <p className="entry-teaser">{article.teaser}</p>
      <p className="entry-meta muted">
        by {article.author}
        {reads !== undefined && ` · ${reads} ${reads === 1 ? "read" : "reads"}`}
      </p>
    </li>
  );
}

import Link from "next/link";
import { formatToken, type TokenUnit } from "@/lib/format";

export interface ArticleCardProps {
  article: { slug: string; title: string; author: string; teaser: string; price: string };
  /** Accepted payments, shown in the "most read" list. */
  reads?: number;
  /** The token's unit, for the price. */
  unit: TokenUnit;
}

/** One article in a list: title (link), author, teaser and price. */
export function ArticleCard({ article, reads, unit }: ArticleCardProps) {
  return (
    <li className="article-card">
      <h2>
        <Link href={`/articles/${article.slug}`}>{article.title}</Link>
      </h2>
      <p className="muted">
        by {article.author}
        {reads !== undefined && ` · ${reads} ${reads === 1 ? "read" : "reads"}`}
      </p>
      <p>{article.teaser}</p>
      <span className="price">{formatToken(article.price, unit)}</span>
    </li>
  );
}

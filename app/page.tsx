import Link from "next/link";
import { db } from "@/lib/db/client";
import { formatToken } from "@/lib/format";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const articles = await db().article.findMany({ orderBy: { publishedAt: "desc" } });
  return (
    <>
      <h1>Latest articles</h1>
      <p className="muted">
        Open a payment channel once, then pay for each article with a signature — no transaction per
        read.
      </p>
      <ul className="article-list">
        {articles.map((a) => (
          <li key={a.slug} className="article-card">
            <h2>
              <Link href={`/articles/${a.slug}`}>{a.title}</Link>
            </h2>
            <p className="muted">by {a.author}</p>
            <p>{a.teaser}</p>
            <span className="price">{formatToken(a.price)}</span>
          </li>
        ))}
      </ul>
      {articles.length === 0 && <p>No articles yet: run the seed step.</p>}
    </>
  );
}

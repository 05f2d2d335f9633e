import Link from "next/link";
import { z } from "zod";
import { ArticleEntry } from "@/components/article-entry";
import {
  ALL_ARTICLES_PAGE_SIZE,
  allArticles,
  articleCategories,
  categoryLabel,
  editorialArticles,
  mostReadArticles,
  newestArticles,
} from "@/lib/content/catalog";
import { searchArticles } from "@/lib/content/search";
import { displayUnit } from "@/lib/chain/token-info";
import type { TokenUnit } from "@/lib/format";

export const dynamic = "force-dynamic";

const paramsSchema = z.object({
  q: z.string().max(200).optional().catch(undefined),
  category: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/)
    .optional()
    .catch(undefined),
  /** A page of the "All articles" list (`?page=2`); anything else is the first. */
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

// GET /?q=&category=&page= — search, a category or all articles (50 a page, by title), or the front
// page (featured, most read, newest)
export default async function HomePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { q, category, page } = paramsSchema.parse(await searchParams);
  const query = q?.trim();
  const categories = await articleCategories();
  const unit = await displayUnit();
  return (
    <div className="index-page wide-page">
      <h1>
        {query
          ? `Search: ${query}`
          : category
            ? categoryLabel(category)
            : page
              ? "All articles"
              : "Latest articles"}
      </h1>
      {!query && !category && !page && (
        <p className="muted">
          Country profiles from The World Factbook and notes on paying for the web. Open a payment
          channel once, then pay for each article with a signature — no transaction per read.
        </p>
      )}
      <form method="get" action="/" role="search" className="search">
        <input type="search" name="q" defaultValue={query ?? ""} aria-label="Search articles" />
        <button type="submit">Search</button>
      </form>
      <div className="index-layout">
        <nav className="categories" aria-labelledby="categories-title">
          <h2 id="categories-title">Regions</h2>
          <ul>
            {categories.map((c) => (
              <li key={c.name}>
                <Link
                  href={`/?category=${encodeURIComponent(c.name)}`}
                  aria-current={c.name === category && !query ? "page" : undefined}
                >
                  {categoryLabel(c.name)}
                </Link>{" "}
                <span className="muted">({c.count})</span>
              </li>
            ))}
          </ul>
        </nav>
        <div className="index-main">
          {query ? (
            <SearchResults query={query} unit={unit} />
          ) : category || page ? (
            <PagedList page={page ?? 1} category={category} unit={unit} />
          ) : (
            <FrontPage unit={unit} />
          )}
        </div>
      </div>
    </div>
  );
}

async function SearchResults({ query, unit }: { query: string; unit: TokenUnit }) {
  const results = await searchArticles(query);
  return (
    <section>
      {results.length === 0 ? (
        <p>Nothing found.</p>
      ) : (
        <p className="muted">
          {results.length === 1 ? "1 article" : `${results.length} articles`} found.
        </p>
      )}
      <ul className="article-list">
        {results.map((a) => (
          <ArticleEntry unit={unit} key={a.slug} article={a} />
        ))}
      </ul>
    </section>
  );
}

/**
 * One page of articles by title (every published one, or a category's), with Previous/Next links
 * that keep the category.
 */
async function PagedList({
  page,
  category,
  unit,
}: {
  page: number;
  category?: string;
  unit: TokenUnit;
}) {
  const { articles, total } = await allArticles(page, category);
  const pages = Math.max(1, Math.ceil(total / ALL_ARTICLES_PAGE_SIZE));
  const first = (page - 1) * ALL_ARTICLES_PAGE_SIZE + 1;
  const href = (n: number) =>
    category ? `/?category=${encodeURIComponent(category)}&page=${n}` : `/?page=${n}`;
  return (
    <section>
      <p className="muted" data-testid="all-articles-range">
        {total === 0 && category
          ? "No articles in this category."
          : articles.length === 0
            ? `No articles on page ${page}: there ${pages === 1 ? "is 1 page" : `are ${pages} pages`}.`
            : pages === 1
              ? `${total === 1 ? "1 article" : `${total} articles`}, by title.`
              : `Articles ${first}–${first + articles.length - 1} of ${total}, by title.`}
      </p>
      <ul className="article-list">
        {articles.map((a) => (
          <ArticleEntry unit={unit} key={a.slug} article={a} />
        ))}
      </ul>
      {pages > 1 && (
        <nav className="pager" aria-label="Pages">
          {page > 1 && (
            <Link href={href(Math.min(page - 1, pages))} rel="prev">
              ← Previous
            </Link>
          )}
          <span>
            Page {Math.min(page, pages)} of {pages}
          </span>
          {page < pages && (
            <Link href={href(page + 1)} rel="next">
              Next →
            </Link>
          )}
        </nav>
      )}
    </section>
  );
}

async function FrontPage({ unit }: { unit: TokenUnit }) {
  const [featured, mostRead, newest] = await Promise.all([
    editorialArticles(),
    mostReadArticles(),
    newestArticles(),
  ]);
  if (featured.length + newest.length === 0) return <p>No articles yet: run the seed step.</p>;
  return (
    <>
      <section>
        <h2>From the editors</h2>
        <ul className="article-list">
          {featured.map((a) => (
            <ArticleEntry unit={unit} key={a.slug} article={a} />
          ))}
        </ul>
      </section>
      {mostRead.length > 0 && (
        <section>
          <h2>Most read</h2>
          <ul className="article-list">
            {mostRead.map(({ article, reads }) => (
              <ArticleEntry unit={unit} key={article.slug} article={article} reads={reads} />
            ))}
          </ul>
        </section>
      )}
      <section>
        <h2>Newest</h2>
        <ul className="article-list">
          {newest.map((a) => (
            <ArticleEntry unit={unit} key={a.slug} article={a} />
          ))}
        </ul>
        <p>
          <Link href="/?page=1" data-testid="all-articles-link">
            All articles, by title →
          </Link>
        </p>
      </section>
    </>
  );
}

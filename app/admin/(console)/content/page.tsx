import type { Metadata } from "next";
import Link from "next/link";
import { ArticlesTable } from "@/components/admin/content/articles-table-client";
import { ContentNav } from "@/components/admin/content/content-nav";
import { articleListQuerySchema, listAdminArticles } from "@/lib/admin/articles";
import { requireOperatorPage } from "@/lib/auth/server";
import { setArticlePublishedAction } from "./actions";
import { displayUnit } from "@/lib/chain/token-info";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Content" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

// GET /admin/content — the articles (drafts included), searchable and paged, with price, status
// and publish buttons
export default async function ContentPage({ searchParams }: { searchParams: SearchParams }) {
  await requireOperatorPage("/admin/content");
  const raw = await searchParams;
  const parsed = articleListQuerySchema.safeParse({
    q: typeof raw.q === "string" ? raw.q : undefined,
    status: typeof raw.status === "string" ? raw.status : undefined,
    page: typeof raw.page === "string" ? raw.page : undefined,
  });
  const query = parsed.success ? parsed.data : articleListQuerySchema.parse({});
  const list = await listAdminArticles(query);
  const unit = await displayUnit();
  const pageHref = (page: number) =>
    `/admin/content?${new URLSearchParams({ q: query.q, status: query.status, page: String(page) })}`;
  return (
    <>
      <h1>Content</h1>
      <ContentNav current="/admin/content" />
      <div className="admin-toolbar">
        <Link
          href="/admin/content/new"
          className="admin-button admin-button-primary"
          data-testid="new-article"
        >
          New article
        </Link>
        <span className="muted">
          {list.drafts} drafts. A price change applies to new payments only.
        </span>
      </div>
      {!parsed.success && (
        <p className="admin-alert admin-alert-warn" role="alert">
          The search was not understood ({parsed.error.issues[0]?.path.join(".")}:{" "}
          {parsed.error.issues[0]?.message}); showing every article.
        </p>
      )}
      <form className="admin-toolbar" method="get" action="/admin/content" role="search">
        <label className="admin-field">
          <span>Title, slug or author</span>
          <input name="q" defaultValue={query.q} data-testid="articles-search" />
        </label>
        <label className="admin-field">
          <span>Status</span>
          <select name="status" defaultValue={query.status} data-testid="articles-status">
            <option value="all">all</option>
            <option value="published">published</option>
            <option value="draft">drafts</option>
          </select>
        </label>
        <button type="submit" className="admin-button">
          Search
        </button>
      </form>
      <ArticlesTable
        unit={unit}
        rows={list.rows.map(({ slug, title, author, category, price, published }) => ({
          slug,
          title,
          author,
          category,
          price,
          published,
        }))}
        setPublished={setArticlePublishedAction}
      />
      <nav className="admin-toolbar" aria-label="Pages">
        {list.page > 1 ? (
          <Link className="admin-button" href={pageHref(list.page - 1)} data-testid="articles-prev">
            ← Previous
          </Link>
        ) : null}
        <span className="muted" data-testid="articles-total">
          Page {list.page} of {list.pages} · {list.total} articles
        </span>
        {list.page < list.pages ? (
          <Link className="admin-button" href={pageHref(list.page + 1)} data-testid="articles-next">
            Next →
          </Link>
        ) : null}
      </nav>
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { ArticlesTable } from "@/components/admin/content/articles-table-client";
import { ContentNav } from "@/components/admin/content/content-nav";
import { listAdminArticles } from "@/lib/admin/articles";
import { requireOperatorPage } from "@/lib/auth/server";
import { setArticlePublishedAction } from "./actions";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Content" };

// GET /admin/content — every article (drafts included) with price, status and publish buttons
export default async function ContentPage() {
  await requireOperatorPage("/admin/content");
  const rows = await listAdminArticles();
  const drafts = rows.filter((a) => !a.published).length;
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
          {rows.length} articles, {drafts} drafts. A price change applies to new payments only.
        </span>
      </div>
      <ArticlesTable
        rows={rows.map(({ slug, title, author, category, price, published }) => ({
          slug,
          title,
          author,
          category,
          price,
          published,
        }))}
        setPublished={setArticlePublishedAction}
      />
    </>
  );
}

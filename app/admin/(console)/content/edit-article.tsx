import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArticleForm } from "@/components/admin/content/article-form-client";
import { ContentNav } from "@/components/admin/content/content-nav";
import { getAdminArticle, type AdminArticle } from "@/lib/admin/articles";
import { requireOperatorPage } from "@/lib/auth/server";
import { BadRequestError } from "@/lib/errors";
import { formatTokenInput } from "@/lib/format";
import { tokenUnit } from "@/lib/chain/token-info";
import { previewArticleAction, updateArticleAction } from "./actions";

/** Metadata of the editor pages. */
export const editArticleMetadata: Metadata = { title: "Edit article" };

async function load(slug: string): Promise<AdminArticle> {
  try {
    return await getAdminArticle(slug);
  } catch (err) {
    if (err instanceof BadRequestError) notFound();
    throw err;
  }
}

/**
 * The editor of one article (its slug read-only), at `path`; `created` after the article was just
 * created.
 */
export async function EditArticle({
  slug,
  path,
  created,
}: {
  slug: string;
  path: string;
  created: boolean;
}) {
  await requireOperatorPage(path);
  const article = await load(slug);
  const unit = await tokenUnit();
  return (
    <>
      <h1>Edit “{article.title}”</h1>
      <ContentNav current="/admin/content" />
      <p className="muted">
        {article.published ? (
          <Link href={`/articles/${article.slug}`}>/articles/{article.slug}</Link>
        ) : (
          "A draft: readers get 404 until it is published."
        )}
      </p>
      <ArticleForm
        initial={{
          slug: article.slug,
          title: article.title,
          teaser: article.teaser,
          author: article.author,
          category: article.category,
          price: formatTokenInput(article.price, unit),
          body: article.body,
          published: article.published,
        }}
        update={updateArticleAction}
        preview={previewArticleAction}
        unit={unit}
        notice={
          created
            ? `Created ${article.slug} (${article.published ? "published" : "a draft"}).`
            : undefined
        }
      />
    </>
  );
}

import type { Metadata } from "next";
import { ArticleForm } from "@/components/admin/content/article-form-client";
import { ContentNav } from "@/components/admin/content/content-nav";
import { requireOperatorPage } from "@/lib/auth/server";
import { createArticleAction, previewArticleAction } from "../actions";
import { tokenUnit } from "@/lib/chain/token-info";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New article" };

// GET /admin/content/new — the editor for a new article (a draft unless "published" is ticked)
export default async function NewArticlePage() {
  await requireOperatorPage("/admin/content/new");
  return (
    <>
      <h1>New article</h1>
      <ContentNav current="/admin/content" />
      <ArticleForm
        initial={{
          slug: "",
          title: "",
          teaser: "",
          author: "",
          category: "",
          price: "",
          body: "",
          published: false,
        }}
        create={createArticleAction}
        preview={previewArticleAction}
        unit={await tokenUnit()}
      />
    </>
  );
}

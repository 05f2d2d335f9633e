import { EditArticle, editArticleMetadata } from "../../edit-article";

export const dynamic = "force-dynamic";
export const metadata = editArticleMetadata;

interface Props {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

// GET /admin/content/edit/:slug — the same editor, for slugs whose /admin/content/<slug> is another
// page of this section ("new", "media", "upstreams", "edit")
export default async function EditShadowedArticlePage({ params, searchParams }: Props) {
  const [{ slug }, query] = await Promise.all([params, searchParams]);
  return (
    <EditArticle
      slug={slug}
      path={`/admin/content/edit/${encodeURIComponent(slug)}`}
      created={query.created === "1"}
    />
  );
}

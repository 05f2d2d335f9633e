import { EditArticle, editArticleMetadata } from "../edit-article";

export const dynamic = "force-dynamic";
export const metadata = editArticleMetadata;

interface Props {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

// GET /admin/content/:slug — the editor of one article (its slug is read-only)
export default async function EditArticlePage({ params, searchParams }: Props) {
  const [{ slug }, query] = await Promise.all([params, searchParams]);
  return (
    <EditArticle
      slug={slug}
      path={`/admin/content/${encodeURIComponent(slug)}`}
      created={query.created === "1"}
    />
  );
}

import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { ArticleView } from "@/components/article/article-parts";
import { findArticle, renderMarkdown } from "@/lib/content/articles";
import { articleResource } from "@/lib/paywall/article-gate";
import { paywallContext } from "@/lib/paywall/context";
import { createGrant, verifyVerdict, VERDICT_HEADER } from "@/lib/paywall/verdict";
import { tokenUnit } from "@/lib/chain/token-info";

// Rendered per request: its scripts carry the CSP nonce proxy.ts makes for it.
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const article = await findArticle((await params).slug);
  return article ? { title: article.title, description: article.teaser } : {};
}

/**
 * GET /articles/:slug — the paid article. proxy.ts decides payment first and hands this page its
 * signed verdict; without a valid one (the proxy bypassed) nothing paid is rendered.
 */
export default async function ArticlePage({ params }: Props) {
  const { slug } = await params;
  const article = await findArticle(slug);
  if (!article) notFound();
  const ctx = await paywallContext();
  const verdict = verifyVerdict(
    ctx,
    (await headers()).get(VERDICT_HEADER),
    articleResource(article.slug),
  );
  if (!verdict) throw new Error(`article ${slug} reached without the paywall's verdict`);
  // The purchase covers the article's images: their URLs carry a grant.
  const body = renderMarkdown(article.body, { grant: (src) => createGrant(ctx, src) });
  return <ArticleView article={article} unit={await tokenUnit()} bodyHtml={body} />;
}

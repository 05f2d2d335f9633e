import { findArticle, renderArticle, renderArticlePaywall } from "@/lib/content/articles";
import { withPayment } from "@/lib/paywall/with-payment";

export const dynamic = "force-dynamic";

// GET /articles/:slug — the article for its price; the teaser and a paywall until then
export const GET = withPayment<
  { slug: string },
  NonNullable<Awaited<ReturnType<typeof findArticle>>>
>(
  (_req, { item }) =>
    new Response(renderArticle(item), { headers: { "content-type": "text/html; charset=utf-8" } }),
  {
    load: (_req, { slug }) => findArticle(slug),
    price: (article) => article.price,
    resource: (article) => `article:${article.slug}`,
    receiptPath: ({ slug }) => `/articles/${slug}`,
    paywallPage: renderArticlePaywall,
  },
);

// HEAD /articles/:slug — the headers of GET, never charged
export const HEAD = GET;

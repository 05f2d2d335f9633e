/**
 * Article requests in-process, for integration tests: runs the real `proxy.ts` (the payment
 * decision, committed to the real database) and then what Next would render — the paywall page's
 * article parts for a rewrite to /paywall, the article page's body only when the proxy handed it a
 * valid signed verdict. Browser tests (tests/e2e) cover the same path through `next start`.
 */
import { NextRequest } from "next/server";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ArticleView, PaywallSection } from "@/components/article/article-parts";
import { tokenUnit } from "@/lib/chain/token-info";
import { findArticle, renderMarkdown, type ArticleRecord } from "@/lib/content/articles";
import { sectionHeadings } from "@/lib/content/headings";
import { articleResource, PAYWALL_REASON_HEADER } from "@/lib/paywall/article-gate";
import { paywallContext } from "@/lib/paywall/context";
import { createGrant, verifyVerdict, VERDICT_HEADER } from "@/lib/paywall/verdict";
import type { TokenUnit } from "@/lib/format";
import { FAILURE_TEXT } from "@/lib/protocol/terms";
import { proxy } from "@/proxy";

/** The request header the page would see, as forwarded by NextResponse.next/rewrite. */
function forwarded(res: Response, name: string): string | null {
  return res.headers.get(`x-middleware-request-${name}`);
}

/** The response without Next's internal proxy headers. */
function clientHeaders(res: Response): Headers {
  const headers = new Headers();
  res.headers.forEach((value, name) => {
    if (!name.startsWith("x-middleware-")) headers.append(name, value);
  });
  for (const cookie of res.headers.getSetCookie()) headers.append("set-cookie", cookie);
  return headers;
}

function html(status: number, headers: Headers, body: string, head: boolean): Response {
  headers.set("content-type", "text/html; charset=utf-8");
  return new Response(head ? null : `<!DOCTYPE html>${body}`, { status, headers });
}

/** `GET`/`HEAD /articles/:slug` as the site answers it (route-handler signature for `call`). */
export async function articleRoute(req: Request): Promise<Response> {
  const res = await proxy(new NextRequest(req));
  const head = req.method === "HEAD";
  const rewrite = res.headers.get("x-middleware-rewrite");
  const next = res.headers.get("x-middleware-next");
  if (!rewrite && !next) return res;
  const slug = new URL(rewrite ?? req.url).pathname.split("/").pop()!;
  const article = await findArticle(slug);
  const headers = clientHeaders(res);
  if (!article) return html(404, headers, "<h1>404</h1>", head);
  const unit = await tokenUnit();
  if (rewrite) {
    if (!new URL(rewrite).pathname.startsWith("/paywall/"))
      throw new Error(`unexpected rewrite to ${rewrite}`);
    let reason = FAILURE_TEXT["payment-required"];
    let terms: Record<string, string> | undefined;
    try {
      const parsed = JSON.parse(forwarded(res, PAYWALL_REASON_HEADER) ?? "");
      reason = parsed.reason ?? reason;
      terms = parsed.headers;
    } catch {
      // the generic reason
    }
    const page = createElement(
      ArticleView,
      { article, unit, contents: sectionHeadings(article.body) },
      createElement(PaywallSection, { price: article.price, unit, reason, terms }),
    );
    return html(res.status, headers, renderToStaticMarkup(page), head);
  }
  const ctx = await paywallContext();
  const verdict = verifyVerdict(ctx, forwarded(res, VERDICT_HEADER), articleResource(slug));
  if (!verdict) return html(500, headers, "<h1>no verdict</h1>", head);
  const bodyHtml = renderMarkdown(article.body, { grant: (src) => createGrant(ctx, src) });
  return html(
    200,
    headers,
    renderToStaticMarkup(createElement(ArticleView, { article, unit, bodyHtml })),
    head,
  );
}

/** The module shape of a route (`GET` and `HEAD`), for tests that take one. */
export const articleRouteModule = { GET: articleRoute, HEAD: articleRoute };

/** The paid article page's markup (unpaid images, no grants), as the page renders it. */
export function renderArticle(
  article: ArticleRecord,
  unit: TokenUnit = { symbol: "TKN", decimals: 18 },
): string {
  return renderToStaticMarkup(
    createElement(ArticleView, { article, unit, bodyHtml: renderMarkdown(article.body) }),
  );
}

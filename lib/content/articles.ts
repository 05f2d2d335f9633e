import { db } from "@/lib/db/client";
import { formatToken } from "@/lib/format";
import {
  escapeHtml,
  htmlDocument,
  paragraphs,
  paywallBox,
  type PaywallInfo,
} from "@/lib/paywall/html";

export interface ArticleRecord {
  slug: string;
  title: string;
  author: string;
  teaser: string;
  body: string;
  price: bigint;
}

const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,120}$/;

/** The article with this slug, or undefined (also for slugs that cannot exist). */
export async function findArticle(slug: string): Promise<ArticleRecord | undefined> {
  if (!SLUG_RE.test(slug)) return undefined;
  const a = await db().article.findUnique({ where: { slug } });
  return a ? { ...a, price: BigInt(a.price) } : undefined;
}

function header(a: ArticleRecord): string {
  return `<article><h1>${escapeHtml(a.title)}</h1><p class="muted">by ${escapeHtml(a.author)} · <span class="price">${escapeHtml(formatToken(a.price))}</span></p>`;
}

/** The paid article page. */
export function renderArticle(a: ArticleRecord): string {
  return htmlDocument(
    a.title,
    `${header(a)}<p class="teaser"><em>${escapeHtml(a.teaser)}</em></p><div class="article-body">${paragraphs(a.body)}</div></article>`,
  );
}

/** The 402 page of an article: its teaser and the paywall box, never the body. */
export function renderArticlePaywall(a: ArticleRecord, info: PaywallInfo): string {
  return htmlDocument(
    a.title,
    `${header(a)}<p class="teaser">${escapeHtml(a.teaser)}</p></article>${paywallBox(info)}`,
  );
}

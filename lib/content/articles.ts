import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";
import { z } from "zod";
import { categoryLabel } from "@/lib/content/catalog";
import { db } from "@/lib/db/client";
import { formatToken } from "@/lib/format";
import {
  escapeHtml,
  htmlDocument,
  jsonForScript,
  paywallBox,
  type PaywallInfo,
} from "@/lib/paywall/html";

export interface ArticleRecord {
  slug: string;
  title: string;
  author: string;
  teaser: string;
  /** Markdown. */
  body: string;
  price: bigint;
  category: string;
  /** Key facts, label → text (free, shown with the teaser). */
  infobox: Record<string, string>;
}

const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,120}$/;

const infoboxSchema = z.record(z.string(), z.string());

/** The article with this slug, or undefined (also for slugs that cannot exist). */
export async function findArticle(slug: string): Promise<ArticleRecord | undefined> {
  if (!SLUG_RE.test(slug)) return undefined;
  const a = await db().article.findUnique({ where: { slug } });
  if (!a) return undefined;
  return { ...a, price: BigInt(a.price), infobox: parseInfobox(a.infobox) };
}

function parseInfobox(json: string): Record<string, string> {
  try {
    return infoboxSchema.parse(JSON.parse(json));
  } catch {
    return {};
  }
}

const markdown = new Marked({ gfm: true, async: false });

// Markdown may carry raw HTML: only structure and formatting survive, links only to http(s)/mailto,
// and no attribute that could run code (no event handlers, no style, no javascript: URLs).
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...["h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code"],
    ...["ul", "ol", "li", "dl", "dt", "dd", "em", "strong", "del", "sub", "sup", "a"],
    ...["table", "thead", "tbody", "tr", "th", "td"],
  ],
  allowedAttributes: { a: ["href", "title"], th: ["align"], td: ["align"] },
  allowedSchemes: ["http", "https", "mailto"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
};

/** Markdown to HTML that is safe to embed in a page. */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.parse(source) as string, SANITIZE);
}

function header(a: ArticleRecord): string {
  const category = a.category
    ? ` · <a href="/?category=${encodeURIComponent(a.category)}">${escapeHtml(categoryLabel(a.category))}</a>`
    : "";
  return `<article><h1>${escapeHtml(a.title)}</h1><p class="muted">by ${escapeHtml(a.author)}${category} · <span class="price">${escapeHtml(formatToken(a.price))}</span></p>`;
}

function infobox(a: ArticleRecord): string {
  const rows = Object.entries(a.infobox);
  if (rows.length === 0) return "";
  const items = rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("");
  return `<aside class="infobox"><h2>Key facts</h2><dl>${items}</dl></aside>`;
}

/**
 * schema.org markup for a paywalled article (Google's "subscription and paywalled content"): the
 * paid part is the element with class `paywalled`.
 */
function jsonLd(a: ArticleRecord): string {
  const data = {
    "@context": "https://schema.org",
    "@type": "Article",
    headline: a.title,
    description: a.teaser,
    author: { "@type": "Organization", name: a.author },
    isAccessibleForFree: false,
    hasPart: { "@type": "WebPageElement", isAccessibleForFree: false, cssSelector: ".paywalled" },
  };
  return `<script type="application/ld+json">${jsonForScript(data)}</script>`;
}

/** The paid article page. */
export function renderArticle(a: ArticleRecord): string {
  return htmlDocument(
    a.title,
    `${jsonLd(a)}${header(a)}<p class="teaser"><em>${escapeHtml(a.teaser)}</em></p>${infobox(a)}<div class="article-body paywalled">${renderMarkdown(a.body)}</div></article>`,
  );
}

/** The 402 page of an article: its teaser, infobox and the paywall box, never the body. */
export function renderArticlePaywall(a: ArticleRecord, info: PaywallInfo): string {
  return htmlDocument(
    a.title,
    `${jsonLd(a)}${header(a)}<p class="teaser">${escapeHtml(a.teaser)}</p>${infobox(a)}</article><div class="paywalled">${paywallBox(info)}</div>`,
  );
}

import { randomBytes } from "node:crypto";
import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { GRANT_PARAM } from "@/lib/paywall/verdict";
import { SLUG_RE } from "./slug";

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

/** What an article slug may be: its path segment under `/articles/` and its payment resource name. */
export { SLUG_RE };

const infoboxSchema = z.record(z.string(), z.string());

/**
 * The published article with this slug, or undefined (also for drafts and for slugs that cannot
 * exist: readers never see a draft).
 */
export async function findArticle(slug: string): Promise<ArticleRecord | undefined> {
  if (!SLUG_RE.test(slug)) return undefined;
  const a = await db().article.findUnique({ where: { slug } });
  if (!a?.published) return undefined;
  return {
    slug: a.slug,
    title: a.title,
    author: a.author,
    teaser: a.teaser,
    body: a.body,
    price: BigInt(a.price),
    category: a.category,
    infobox: parseInfobox(a.infobox),
  };
}

function parseInfobox(json: string): Record<string, string> {
  try {
    return infoboxSchema.parse(JSON.parse(json));
  } catch {
    return {};
  }
}

const markdown = new Marked({ gfm: true, async: false });

/** Paid images an article may show: media files of this site (`/media/<path>`). */
const MEDIA_SRC_RE = /^\/media\/[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$/;

/**
 * Marks the end of each media image's `src` in the cached HTML, around the image's number: where
 * a render puts the image's grant (or nothing). Random per process, so no article text contains it,
 * and made of characters the sanitizer leaves as they are.
 */
const GRANT_MARK = `grant${randomBytes(16).toString("hex")}`;

// Markdown may carry raw HTML: only structure and formatting survive, links only to http(s)/mailto,
// images only from this site's media store, and no attribute that could run code (no event
// handlers, no style, no javascript: URLs). `images` collects the media paths of the images kept,
// whose `src` gets the grant mark (read from the parsed attribute, whatever the attribute order).
function sanitizeOptions(images: string[]): sanitizeHtml.IOptions {
  const marked = new Set<string>();
  return {
    allowedTags: [
      ...["h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code"],
      ...["ul", "ol", "li", "dl", "dt", "dd", "em", "strong", "del", "sub", "sup", "a", "img"],
      ...["table", "thead", "tbody", "tr", "th", "td"],
    ],
    allowedAttributes: {
      a: ["href", "title"],
      img: ["src", "alt", "title"],
      th: ["align"],
      td: ["align"],
    },
    allowedSchemes: ["http", "https", "mailto"],
    allowProtocolRelative: false,
    disallowedTagsMode: "discard",
    transformTags: {
      img: (tagName, attribs) => {
        const src = attribs.src ?? "";
        if (!MEDIA_SRC_RE.test(src)) return { tagName, attribs };
        const withMark = `${src}${GRANT_MARK}${images.push(src) - 1}${GRANT_MARK}`;
        marked.add(withMark);
        return { tagName, attribs: { ...attribs, src: withMark } };
      },
    },
    // Only the images marked above: the site's own media.
    exclusiveFilter: (frame) => frame.tag === "img" && !marked.has(frame.attribs.src ?? ""),
  };
}

export interface RenderOptions {
  /**
   * Query value added to each image as `?grant=` (the article's purchase covers its images);
   * receives the image's path.
   */
  grant?: (mediaPath: string) => string;
}

/**
 * Sanitised HTML of one Markdown source, split at the grant marks: the text between the media
 * images' `src` ends (even indexes) and each image's index into `images` (odd indexes).
 */
interface Rendered {
  parts: string[];
  images: string[];
}

/** Rendered and sanitised HTML by Markdown source (a long profile takes ~30 ms to render). */
const rendered = new Map<string, Rendered>();
const RENDERED_MAX = 500;

/**
 * Markdown to HTML that is safe to embed in a page. The sanitised HTML is kept per source text
 * (an edited article is a new source); grants are added to it per request.
 */
export function renderMarkdown(source: string, options: RenderOptions = {}): string {
  let html = rendered.get(source);
  if (html === undefined) {
    const images: string[] = [];
    const sanitized = sanitizeHtml(markdown.parse(source) as string, sanitizeOptions(images));
    html = { parts: sanitized.split(GRANT_MARK), images };
    if (rendered.size >= RENDERED_MAX) rendered.delete(rendered.keys().next().value!);
    rendered.set(source, html);
  }
  const { grant } = options;
  const { parts, images } = html;
  return parts
    .map((part, i) => {
      if (i % 2 === 0) return part;
      const src = images[Number(part)]!;
      return grant ? `?${GRANT_PARAM}=${encodeURIComponent(grant(src))}` : "";
    })
    .join("");
}

/**
 * The section headings of an article's Markdown body, as plain text: what the paywall lists so
 * that a reader sees what the article covers before paying. Only the headings leave the body.
 */
import { Marked, type Token, type Tokens } from "marked";

const markdown = new Marked({ gfm: true, async: false });

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

/** Decodes the character references Markdown leaves in text ("&amp;", "&#233;", "&#xE9;"). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi, (ref, name: string) => {
    if (name.startsWith("#")) {
      const code =
        name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ref;
    }
    return ENTITIES[name.toLowerCase()] ?? ref;
  });
}

/** The text a reader sees of inline tokens: raw HTML and images dropped, escapes resolved. */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => {
      if (t.type === "html" || t.type === "image") return "";
      if (t.type === "br") return " ";
      if ("tokens" in t && t.tokens) return plainText(t.tokens);
      if (t.type === "codespan" || t.type === "escape") return (t as Tokens.Codespan).text;
      return "text" in t && typeof t.text === "string" ? decodeEntities(t.text) : "";
    })
    .join("");
}

/**
 * The plain text of the body's top-level headings of `depth` (`## Geography` and the setext
 * `Geography\n---` for 2), in order; headings inside code blocks, lists and quotes are not
 * sections and are left out, and so are headings with no text (pure).
 *
 * @example
 * markdownHeadings("## Geography\n\nText\n\n## People and Society"); // ["Geography", "People and Society"]
 */
export function markdownHeadings(source: string, depth = 2): string[] {
  return markdown
    .lexer(source)
    .filter((t): t is Tokens.Heading => t.type === "heading" && t.depth === depth)
    .map((t) => plainText(t.tokens).replace(/\s+/g, " ").trim())
    .filter((text) => text !== "");
}

/** Headings by Markdown source: a long profile takes a few milliseconds to lex. */
const cache = new Map<string, string[]>();
const CACHE_MAX = 500;

/**
 * An article's section headings ({@link markdownHeadings} of its `##` headings), kept per body
 * text: the paywall renders per request, and an edited article is a new source.
 */
export function sectionHeadings(body: string): readonly string[] {
  let headings = cache.get(body);
  if (headings === undefined) {
    headings = markdownHeadings(body);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(body, headings);
  }
  return headings;
}

/** How much of a body is read for its first paragraph (a teaser is far shorter). */
const OPENING_CHARS = 4_000;

/**
 * The plain text of the first top-level paragraph in the opening of `source` (pure), or "" when
 * there is none.
 */
export function firstParagraph(source: string): string {
  const paragraph = markdown
    .lexer(source.slice(0, OPENING_CHARS))
    .find((t): t is Tokens.Paragraph => t.type === "paragraph");
  return paragraph ? plainText(paragraph.tokens).replace(/\s+/g, " ").trim() : "";
}

/**
 * Whether the body's first paragraph opens with the teaser's words (a World Factbook profile's
 * teaser is the first sentences of its background), so that the paid article shows them once. A
 * teaser cut with "…" counts by its words before the cut.
 */
export function opensWithTeaser(body: string, teaser: string): boolean {
  const lead = teaser.replace(/…$/, "").replace(/\s+/g, " ").trim();
  return lead !== "" && firstParagraph(body).startsWith(lead);
}

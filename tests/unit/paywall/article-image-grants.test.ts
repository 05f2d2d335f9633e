/**
 * A paid article's images carry the grant its purchase gives, whatever the order of the image's
 * attributes in the article's Markdown (raw HTML keeps the author's order through the sanitizer).
 */
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "@/lib/content/articles";

/** The `src` of every image of `html`, `&amp;` decoded. */
const sources = (html: string) =>
  [...html.matchAll(/<img\b[^>]*?\ssrc="([^"]*)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));

/** A grant that names the image it was made for. */
const grant = (src: string) => `g.${src.length}-${src.replaceAll("/", "_")}`;
const granted = (src: string) => `${src}?grant=${encodeURIComponent(grant(src))}`;

const KITTEN = "/media/kitten.jpg";

describe("grants on an article's images", () => {
  const cases: [string, string][] = [
    ["Markdown", `![a kitten](${KITTEN} "A kitten")`],
    ["src first", `<img src="${KITTEN}" alt="a" title="t">`],
    ["title first", `<img title="A kitten" src="${KITTEN}">`],
    ["alt and title first", `<img alt="a" title="t" src="${KITTEN}">`],
    ["unquoted, title first", `<img title=t src=${KITTEN} alt=a>`],
    ["single quotes", `<img alt='a "kitten"' src='${KITTEN}'>`],
    ["upper-case names", `<IMG TITLE="t" SRC="${KITTEN}">`],
    ["dropped attributes first", `<img onerror="x()" style="a" data-x="1" src="${KITTEN}">`],
    ["self-closing", `<p>Look: <img title="t" src="${KITTEN}" /></p>`],
  ];
  for (const [name, markdown] of cases) {
    it(`${name}: the image carries its grant`, () => {
      expect(sources(renderMarkdown(markdown, { grant }))).toEqual([granted(KITTEN)]);
      // Without a grant (the paywall, the admin preview of a draft), the plain path.
      expect(sources(renderMarkdown(markdown))).toEqual([KITTEN]);
    });
  }

  it("each image gets the grant of its own path, in any mix of spellings", () => {
    const html = renderMarkdown(
      [
        `![k](${KITTEN})`,
        `<img title="dog" src="/media/doggo.jpg">`,
        `<img alt="tea" src="/media/sub/teapot.jpg" title="pot">`,
        `![k again](${KITTEN} "again")`,
      ].join("\n\n"),
      { grant },
    );
    expect(sources(html)).toEqual([
      granted(KITTEN),
      granted("/media/doggo.jpg"),
      granted("/media/sub/teapot.jpg"),
      granted(KITTEN),
    ]);
  });

  it("keeps the other attributes, escaped", () => {
    const html = renderMarkdown(`<img title='say "hi"' alt="a<b" src="${KITTEN}">`, { grant });
    expect(html).toContain(`title="say &quot;hi&quot;"`);
    expect(html).toContain(`alt="a&lt;b"`);
    expect(html).not.toMatch(/onerror|style=/);
  });

  it("drops images from anywhere else, whatever the attribute order", () => {
    const html = renderMarkdown(
      [
        `<img title="x" src="https://evil.example/x.png">`,
        `<img alt="y" src="/media/../x">`,
        `<img title="z" src="/api/1/stats">`,
        `<img title="no src">`,
        `<img title="t" src="${KITTEN}?grant=forged">`,
      ].join(" "),
      { grant },
    );
    expect(sources(html)).toEqual([]);
  });

  it("the grant mark never reaches the page, even for text that looks like it", () => {
    const markdown = `Text with grant0123 and ?grant= in it.\n\n<img title="t" src="${KITTEN}">`;
    const plain = renderMarkdown(markdown);
    const paid = renderMarkdown(markdown, { grant: () => "1.abc" });
    expect(plain).toContain("Text with grant0123 and ?grant= in it.");
    expect(paid).toContain("Text with grant0123 and ?grant= in it.");
    expect(plain.match(/grant/g)).toHaveLength(2);
    expect(sources(paid)).toEqual([`${KITTEN}?grant=1.abc`]);
    expect(paid.replace(`${KITTEN}?grant=1.abc`, "")).not.toMatch(/grant[0-9a-f]{8}/);
  });
});

/**
 * Section headings of Markdown bodies, as the paywall lists them: plain text of the top-level `##`
 * headings, never anything else of the body.
 */
import { describe, expect, it } from "vitest";
import { markdownHeadings, opensWithTeaser, sectionHeadings } from "@/lib/content/headings";
import { factbookArticles, seedArticles } from "@/prisma/seed-data";

describe("markdownHeadings", () => {
  it.each([
    ["no headings", "Just a paragraph.\n\nAnother one.", []],
    [
      "ATX level 2",
      "## Geography\n\nText.\n\n## People and Society\n\nMore.",
      ["Geography", "People and Society"],
    ],
    ["setext level 2", "Economy\n-------\n\nText.", ["Economy"]],
    ["closing hashes", "## Energy ##\n", ["Energy"]],
    ["other levels left out", "# Title\n\n## Kept\n\n### Sub\n\n#### Deeper", ["Kept"]],
    ["inside a code block", "```\n## not a heading\n```\n\n## Real", ["Real"]],
    ["inside a list or quote", "- ## in a list\n\n> ## in a quote\n\n## Real", ["Real"]],
    ["escapes", "## Military \\*and\\* \\[security\\]", ["Military *and* [security]"]],
    [
      "inline formatting",
      "## **Bold** _and_ `code` [link](https://example.com)",
      ["Bold and code link"],
    ],
    ["entities", "## Trade &amp; aid &#8211; &#x4E2D;", ["Trade & aid – 中"]],
    ["an unknown entity stays", "## A &bogus; B", ["A &bogus; B"]],
    ["raw HTML and images dropped", "## <b>Bold</b> ![map](/media/map.png) text", ["Bold text"]],
    ["empty heading", "## \n\n## <span></span>\n\n## Kept", ["Kept"]],
    ["spaces collapsed", "## Transnational   Issues ", ["Transnational Issues"]],
  ])("%s", (_name, source, expected) => {
    expect(markdownHeadings(source)).toEqual(expected);
  });

  it("reads another depth when asked", () => {
    expect(markdownHeadings("## A\n\n### B\n\n### C", 3)).toEqual(["B", "C"]);
  });

  it("gives every World Factbook profile's sections and nothing of their text", () => {
    const articles = factbookArticles();
    const france = articles.find((a) => a.slug === "france")!;
    expect(markdownHeadings(france.body)).toEqual([
      "Introduction",
      "Geography",
      "People and Society",
      "Government",
      "Economy",
      "Energy",
      "Communications",
      "Transportation",
      "Military",
      "Transnational Issues",
    ]);
    for (const a of articles) {
      const headings = markdownHeadings(a.body);
      // One per `## ` line of the generated body: field text never starts a line with "##".
      expect(headings, a.slug).toHaveLength(a.body.match(/^## /gm)?.length ?? 0);
      for (const h of headings) expect(h.length, a.slug).toBeLessThan(60);
    }
  });
});

describe("sectionHeadings", () => {
  it("answers the same headings again for the same body", () => {
    const body = "## One\n\nText.\n\n## Two";
    expect(sectionHeadings(body)).toEqual(["One", "Two"]);
    expect(sectionHeadings(body)).toBe(sectionHeadings(body));
    expect(sectionHeadings(`${body}\n\n## Three`)).toEqual(["One", "Two", "Three"]);
  });
});

describe("opensWithTeaser: the paid article shows its opening words once", () => {
  it.each([
    [
      "the first paragraph repeats the teaser",
      "## Introduction\n\nOne. Two. Three.",
      "One. Two.",
      true,
    ],
    [
      "escapes and entities read as text",
      "## Intro\n\nA \\*star\\* &amp; co. Next.",
      "A *star* & co.",
      true,
    ],
    [
      "a teaser cut with an ellipsis",
      "## Intro\n\nA very long opening sentence.",
      "A very long…",
      true,
    ],
    ["the text says something else", "## Intro\n\nSomething else. One.", "One.", false],
    ["the teaser is in a later paragraph", "First.\n\nOne. Two.", "One.", false],
    ["an empty teaser", "## Intro\n\nOne.", "", false],
    ["a body without a paragraph", "## Only a heading", "Only", false],
  ])("%s", (_name, body, teaser, expected) => {
    expect(opensWithTeaser(body, teaser)).toBe(expected);
  });

  it("holds for every World Factbook profile with a background, and for none of the site's own articles", () => {
    const profiles = factbookArticles();
    const withBackground = profiles.filter((a) => !a.teaser.endsWith("a World Factbook profile."));
    expect(withBackground.length).toBeGreaterThan(250);
    for (const a of withBackground) expect(opensWithTeaser(a.body, a.teaser), a.slug).toBe(true);
    for (const a of seedArticles) {
      expect(opensWithTeaser(a.body, a.teaser), a.slug).toBe(false);
    }
  });
});

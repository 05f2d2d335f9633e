import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { articleRoute as article, renderArticle } from "../../helpers/article-route";
import { findArticle } from "@/lib/content/articles";
import {
  articleCategories,
  categoryLabel,
  ALL_ARTICLES_PAGE_SIZE,
  allArticles,
  editorialArticles,
  mostReadArticles,
  randomArticleSlug,
} from "@/lib/content/catalog";
import { searchArticles } from "@/lib/content/search";
import { db } from "@/lib/db/client";
import { dbKind } from "@/lib/db/sql";
import { seed } from "@/prisma/seed";
import { seedArticles, seedPrice } from "@/prisma/seed-data";
import { call } from "../../helpers/paywall";
import { startSiteFixture, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;

beforeAll(async () => {
  f = await startSiteFixture();
  await seed();
}, 120_000);
afterAll(async () => f?.stop());

describe("encyclopedia seed", () => {
  it("imports the Factbook profiles beside the original articles, idempotently", async () => {
    const first = await db().article.count();
    expect(await db().article.count({ where: { category: { not: "" } } })).toBeGreaterThanOrEqual(
      250,
    );
    for (const { cents, ...a } of seedArticles) {
      const row = await db().article.findUniqueOrThrow({ where: { slug: a.slug } });
      // The fixture's token has 18 decimals: a cent is 10^16 base units.
      expect(row).toMatchObject({ ...a, price: seedPrice(cents, 18), category: "", infobox: "{}" });
    }
    await seed();
    expect(await db().article.count()).toBe(first);
    expect(first).toBeGreaterThanOrEqual(253);
  });

  it("stores France with its region, a priced Markdown body and an infobox", async () => {
    const fr = await db().article.findUniqueOrThrow({ where: { slug: "france" } });
    expect(fr.category).toBe("europe");
    expect(fr.body).toMatch(/^## Introduction/);
    expect(fr.body).toContain("\n## Geography\n");
    expect(fr.teaser.length).toBeLessThanOrEqual(300);
    expect(fr.teaser).toMatch(/^France today .*\.$/);
    expect(JSON.parse(fr.infobox)).toMatchObject({ Capital: "Paris" });
    const price = BigInt(fr.price);
    // 2 to 10 cents of the fixture's 18-decimals token.
    expect(price >= 2n * 10n ** 16n && price <= 10n * 10n ** 16n).toBe(true);
  });
});

describe("all articles", () => {
  it("pages through every published article by title, none twice, drafts left out", async () => {
    const published = await db().article.count({ where: { published: true } });
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const { articles, total } = await allArticles(page);
      expect(total).toBe(published);
      if (articles.length === 0) break;
      expect(articles.length).toBeLessThanOrEqual(ALL_ARTICLES_PAGE_SIZE);
      seen.push(...articles.map((a) => a.title));
    }
    expect(seen).toHaveLength(published);
    expect(new Set(seen).size).toBe(published);
    // By title in the database's collation: SQLite's is by code point (PostgreSQL's may differ).
    if (dbKind() === "sqlite") {
      expect(seen).toEqual([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });

  it("pages through one category: more than a page in Europe, each article of it once", async () => {
    const europe = await db().article.findMany({
      where: { published: true, category: "europe" },
      select: { slug: true },
    });
    expect(europe.length).toBeGreaterThan(ALL_ARTICLES_PAGE_SIZE);
    const first = await allArticles(1, "europe");
    const second = await allArticles(2, "europe");
    expect(first.total).toBe(europe.length);
    expect(first.articles).toHaveLength(ALL_ARTICLES_PAGE_SIZE);
    expect(second.articles).toHaveLength(europe.length - ALL_ARTICLES_PAGE_SIZE);
    expect([...first.articles, ...second.articles].map((a) => a.slug).sort()).toEqual(
      europe.map((a) => a.slug).sort(),
    );
    expect((await allArticles(3, "europe")).articles).toEqual([]);
  });
});

describe("search", () => {
  it("finds France", async () => {
    const results = await searchArticles("France");
    expect(results[0]?.slug).toBe("france");
  });

  it("lists the article named exactly as searched first", async () => {
    // Svalbard and Bouvet Island name Norway in their facts more often than Norway does.
    for (const [query, slug] of [
      ["Norway", "norway"],
      ["norway", "norway"],
      ["  NORWAY ", "norway"],
      ["India", "india"],
    ] as const) {
      const results = await searchArticles(query);
      expect(results[0]?.slug, query).toBe(slug);
      expect(results.length, query).toBeGreaterThan(1);
    }
  });

  it("matches word prefixes", async () => {
    expect((await searchArticles("Fran")).map((a) => a.slug)).toContain("france");
  });

  it.each([
    ['"'],
    ['france"'],
    ["*"],
    ["NEAR("],
    ["NEAR(france paris"],
    ["-france"],
    ["france OR"],
    ["title:france"],
    ["^"],
    ["AND NOT"],
    [""],
    ["   "],
  ])("does not throw on FTS syntax in %j", async (q) => {
    await expect(searchArticles(q)).resolves.toBeInstanceOf(Array);
  });

  it("finds the search-index rows of updated articles (triggers keep it in sync)", async () => {
    await db().article.update({ where: { slug: "france" }, data: { teaser: "Zyxwvut teaser" } });
    expect((await searchArticles("zyxwvut")).map((a) => a.slug)).toEqual(["france"]);
    await seed();
    expect(await searchArticles("zyxwvut")).toEqual([]);
  });
});

describe("article pages", () => {
  it("the 402 page shows teaser and infobox with JSON-LD, never the body", async () => {
    const fr = await db().article.findUniqueOrThrow({ where: { slug: "france" } });
    const res = await call(
      article,
      "/articles/france",
      { slug: "france" },
      { accept: "text/html" },
    );
    expect(res.status).toBe(402);
    const html = await res.text();
    expect(html).toContain("France today is one of the most modern countries");
    expect(html).toContain('class="infobox"');
    expect(html).toContain("<dt>Capital</dt><dd>Paris</dd>");
    expect(html).toContain('"isAccessibleForFree":false');
    expect(html).toContain('"cssSelector":".paywalled"');
    expect(html).toContain('type="application/ld+json"');
    // A sentence from the body that is not in the teaser.
    expect(fr.body).toContain("hybrid presidential-parliamentary governing system");
    expect(html).not.toContain("hybrid presidential-parliamentary governing system");
    expect(html).not.toContain("<h2>Geography</h2>");
  });

  it("the 402 page lists the body's section headings, and nothing under them", async () => {
    const res = await call(
      article,
      "/articles/france",
      { slug: "france" },
      { accept: "text/html" },
    );
    expect(res.status).toBe(402);
    const html = await res.text();
    expect(html).toContain('data-testid="article-contents"');
    expect(html).toContain(">In this article</h2>");
    expect(html).toContain(
      "<ol><li>Introduction</li><li>Geography</li><li>People and Society</li><li>Government</li>",
    );
    expect(html).toContain("<li>Transnational Issues</li></ol>");
    // Field labels and values of the sections stay in the paid body.
    expect(html).not.toContain("Location:");
    expect(html).not.toContain("Natural hazards");
    // An article without headings lists none.
    const plain = await call(
      article,
      "/articles/closing-a-channel",
      { slug: "closing-a-channel" },
      { accept: "text/html" },
    );
    expect(plain.status).toBe(402);
    expect(await plain.text()).not.toContain("article-contents");
  });

  it("the paid page renders the Markdown body inside .paywalled", async () => {
    const fr = (await findArticle("france"))!;
    const html = renderArticle(fr);
    expect(html).toContain("<h2>Geography</h2>");
    expect(html).toContain("<strong>Location:</strong>");
    expect(html).toContain('class="article-body paywalled"');
    expect(html).toContain('"@type":"WebPageElement"');
  });

  it("renders the original plain-text articles as paragraphs", async () => {
    const a = (await findArticle("the-402-status-code"))!;
    expect(renderArticle(a)).toContain(
      "<p>Every paid page answers 402 until a valid payment arrives.",
    );
  });

  it.each([
    ["<script>alert(1)</script>", /<script>alert|alert\(1\)<\/script>/],
    ['<img src=x onerror="alert(1)">', /onerror|<img/],
    ["[click](javascript:alert(1))", /javascript:/],
    ['<a href="javascript:alert(1)" onclick="x()">a</a>', /javascript:|onclick/],
    ['<iframe src="https://evil.example"></iframe>', /<iframe/],
    ['<p style="background:url(x)" onmouseover="x()">hi</p>', /style=|onmouseover/],
  ])("sanitises %s", async (evil, forbidden) => {
    const a = (await findArticle("closing-a-channel"))!;
    const html = renderArticle({ ...a, body: `## Heading\n\n${evil}\n\nAfter.` });
    const body = html.slice(html.indexOf('class="article-body paywalled"'));
    expect(body).toContain("<h2>Heading</h2>");
    expect(body).toContain("After.");
    expect(body).not.toMatch(forbidden);
  });
});

describe("home page lists", () => {
  it("lists categories with counts, the editors' articles and a category's articles", async () => {
    const categories = await articleCategories();
    expect(categories.find((c) => c.name === "europe")?.count).toBeGreaterThan(40);
    expect(categories.some((c) => c.name === "")).toBe(false);
    expect((await editorialArticles()).map((a) => a.slug)).toEqual(seedArticles.map((a) => a.slug));
    expect((await allArticles(1, "europe")).articles.map((a) => a.slug)).toContain("france");
    expect(categoryLabel("east-n-southeast-asia")).toBe("East & Southeast Asia");
  });

  it("ranks most read by Payment rows per article resource", async () => {
    const channel = await db().channel.create({
      data: { sender: "0x1", openBlock: 1, receiver: "0x2", signer: "0x1" },
    });
    const pay = (resource: string, balance: number) =>
      db().payment.create({
        data: {
          channelId: channel.id,
          resource,
          amount: "1",
          balance: String(balance),
          signature: "0x",
        },
      });
    await pay("article:peru", 1);
    await pay("article:peru", 2);
    await pay("article:chile", 3);
    await pay("media:kitten.jpg", 4);
    const top = await mostReadArticles();
    expect(top.map((t) => [t.article.slug, t.reads])).toEqual([
      ["peru", 2],
      ["chile", 1],
    ]);
    await db().channel.delete({ where: { id: channel.id } });
  });

  it("draws a random article among the published ones only", async () => {
    const published = await db().article.findMany({
      where: { published: true },
      orderBy: { id: "asc" },
      select: { slug: true },
    });
    const asked: number[] = [];
    const pick = (index: (below: number) => number) => (below: number) => {
      asked.push(below);
      return index(below);
    };
    expect(await randomArticleSlug(pick(() => 0))).toBe(published[0]!.slug);
    expect(await randomArticleSlug(pick((n) => n - 1))).toBe(published.at(-1)!.slug);
    expect(asked).toEqual([published.length, published.length]);
    // A draft is never drawn.
    const first = published[0]!.slug;
    await db().article.update({ where: { slug: first }, data: { published: false } });
    try {
      expect(await randomArticleSlug(() => 0)).toBe(published[1]!.slug);
      // The default draw is always a published article.
      for (let i = 0; i < 20; i++) {
        const slug = await randomArticleSlug();
        expect(published.some((a) => a.slug === slug) && slug !== first).toBe(true);
      }
    } finally {
      await db().article.update({ where: { slug: first }, data: { published: true } });
    }
  });
});
